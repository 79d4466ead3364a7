#pragma once

#include "net/inferenceclient.h"
#include "ui/providerstore.h"

#include <QDialog>

class QFormLayout;
class QLabel;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;
class QPushButton;
class QToolButton;

namespace spindle::ui {

// Edits the playground's providers: the built-ins' keys and headers, and any number of
// OpenAI-compatible servers (name, base URL, key, "Name: value" header lines). Keys go to the
// system keychain and are only ever shown masked. "Test connection" asks GET {base}/models with
// what the form holds (saved or not) and shows the model count or the error in plain words.
class ProvidersDialog : public QDialog
{
    Q_OBJECT
public:
    // `client` runs the connection tests; when null the dialog makes its own.
    ProvidersDialog(ProviderStore* store, net::InferenceClient* client = nullptr, QWidget* parent = nullptr);
    ~ProvidersDialog() override;

    // Selects a provider by name (false when unknown). Unsaved edits of the current one are saved.
    bool selectProvider(const QString& name);
    QString currentName() const; // empty while a new provider is being drafted
    // Starts a draft for a new compatible provider, prefilled with a local server's usual URL.
    void addProvider(const QString& suggestedName = {}, const QString& url = {});
    // Saves the form: empty on success, else the message shown under the form.
    QString saveCurrent();
    void removeCurrent(); // asks first when a key is stored
    void testConnection();

    QString statusText() const; // the line under the form (errors, test results)

Q_SIGNALS:
    // A finished "Test connection": ok with the model ids, or the plain error.
    void connectionTested(bool ok, const QString& message, const QStringList& modelIds);

protected:
    void done(int result) override;

private:
    QWidget* buildList();
    QWidget* buildForm();
    QFormLayout* buildFields(QWidget* form);
    void reloadList(const QString& select);
    void showProvider(const std::optional<ProviderConfig>& config);
    void showKeySource();
    ProviderConfig formConfig(QString* headerError) const;
    void setStatus(const QString& text, bool error);
    void setDirty(bool dirty);
    void updateButtons();
    void runTest(const net::InferenceProvider& provider);
    bool confirmDiscard(); // true: the user chose to discard the form's invalid changes

    ProviderStore* m_store;
    net::InferenceClient* m_client;
    QListWidget* m_list;
    QLineEdit* m_name;
    QLineEdit* m_url;
    QLineEdit* m_key;
    QLabel* m_keySource;
    QToolButton* m_forgetKey;
    QPlainTextEdit* m_headers;
    QLabel* m_kindNote;
    QLabel* m_status;
    QPushButton* m_save;
    QPushButton* m_test;
    QToolButton* m_add;
    QToolButton* m_remove;
    QString m_editing; // the saved name of the provider in the form; empty for a draft
    ProviderConfig::Kind m_kind = ProviderConfig::Kind::Compatible;
    QString m_storageError; // the store's last storageFailed() message, for saveCurrent()
    bool m_dirty = false;
    bool m_loading = false;
    net::InferenceClient::RequestId m_testId = 0;
};

} // namespace spindle::ui
