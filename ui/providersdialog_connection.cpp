#include "ui/providersdialog.h"

#include <QLineEdit>
#include <QPushButton>

// "Test connection": GET {base}/models with what the form holds, saved or not.

namespace spindle::ui {

void ProvidersDialog::testConnection()
{
    if (m_testId)
        m_client->cancel(m_testId);
    m_testId = 0;
    QString headerError;
    const ProviderConfig config = formConfig(&headerError);
    if (!headerError.isEmpty() || !config.baseUrl.isValid() || config.baseUrl.host().isEmpty()) {
        const QString message =
            headerError.isEmpty() ? tr("Enter the server's base URL first.") : headerError;
        setStatus(message, true);
        Q_EMIT connectionTested(false, message, {});
        return;
    }
    setStatus(tr("Connecting to %1…").arg(config.baseUrl.toString()), false);
    m_test->setEnabled(false);
    const QString typedKey = m_key->text().trimmed();
    // A saved provider's stored key (and W&B project header) unless a new key is typed.
    m_store->resolve(
        this, m_editing, [this, config, typedKey](net::InferenceProvider resolved, const QString&) {
            net::InferenceProvider provider;
            provider.name = config.name;
            provider.baseUrl = config.baseUrl;
            provider.extraHeaders = config.extraHeaders;
            provider.apiKey = typedKey.isEmpty() ? resolved.apiKey : typedKey;
            for (const auto& header : resolved.extraHeaders) {
                if (!provider.extraHeaders.contains(header))
                    provider.extraHeaders.append(header);
            }
            runTest(provider);
        });
}

void ProvidersDialog::runTest(const net::InferenceProvider& provider)
{
    m_testId = m_client->listModels(
        this, provider,
        [this](const QVector<net::ModelInfo>& models) {
            m_testId = 0;
            QStringList ids;
            for (const net::ModelInfo& model : models)
                ids.append(model.id);
            const QStringList shown = ids.mid(0, 4);
            const QString more = ids.size() > shown.size() ? tr(", …") : QString();
            const QString list = shown.join(QStringLiteral(", ")) + more;
            const QString message = ids.isEmpty()
                ? tr("Connected, but the server lists no models. Type a model id in the playground pane.")
                : ids.size() == 1 ? tr("✓ Connected: 1 model — %1").arg(list)
                                  : tr("✓ Connected: %1 models — %2").arg(ids.size()).arg(list);
            setStatus(message, false);
            updateButtons();
            Q_EMIT connectionTested(true, message, ids);
        },
        [this](const net::InferenceError& error) {
            m_testId = 0;
            const QString message = error.plainMessage();
            setStatus(message, true);
            updateButtons();
            Q_EMIT connectionTested(false, message, {});
        });
}

} // namespace spindle::ui
