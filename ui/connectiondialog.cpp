#include "ui/connectiondialog.h"

#include "net/credentials.h"

#include <QButtonGroup>
#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHostAddress>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QSettings>
#include <QVBoxLayout>

namespace spindle::ui {

ConnectionProfile ConnectionProfile::load()
{
    QSettings settings;
    ConnectionProfile profile;
    const int kind = settings.value(QStringLiteral("profile/kind"), 0).toInt();
    // A value this version does not know (a newer one wrote it, or the file was edited): local.
    profile.kind =
        kind >= int(Kind::Local) && kind <= int(Kind::Custom) ? static_cast<Kind>(kind) : Kind::Local;
    profile.url = settings.value(QStringLiteral("profile/url")).toUrl();
    if (profile.kind == Kind::Wandb && profile.url.isEmpty())
        profile.url = QUrl(QStringLiteral("https://trace.wandb.ai"));
    return profile;
}

void ConnectionProfile::save() const
{
    QSettings settings;
    settings.setValue(QStringLiteral("profile/kind"), int(kind));
    settings.setValue(QStringLiteral("profile/url"), url);
}

QString ConnectionProfile::keychainAccount() const
{
    // W&B keys belong to the API host (as in ~/.netrc), whatever trace host is used.
    if (kind == Kind::Wandb && url.host() == QLatin1String("trace.wandb.ai"))
        return QLatin1String(net::kWandbApiHost);
    return url.host();
}

QUrl ConnectionProfile::urlFromUserInput(const QString& text)
{
    const QString typed = text.trimmed();
    if (typed.isEmpty() || typed.contains(QLatin1String("://")))
        return QUrl::fromUserInput(typed); // the scheme the user wrote
    // QUrl::fromUserInput would make "trace.wandb.ai" http.
    QUrl url = QUrl::fromUserInput(QStringLiteral("https://") + typed);
    const QString host = url.host();
    if (host == QLatin1String("localhost") || QHostAddress(host).isLoopback())
        url.setScheme(QStringLiteral("http"));
    return url;
}

ConnectionDialog::ConnectionDialog(const ConnectionProfile& current, QWidget* parent)
    : QDialog(parent)
    , m_kind(new QButtonGroup(this))
    , m_url(new QLineEdit(this))
    , m_key(new QLineEdit(this))
    , m_keySource(new QLabel(this))
    , m_saveKey(new QCheckBox(tr("Remember this key in the system keychain"), this))
{
    setWindowTitle(tr("Connection"));
    auto* layout = new QVBoxLayout(this);
    const char* const labels[] = { "Local — the embedded trace server on this machine (SQLite)",
        // "&&": a single & in a button's text marks its shortcut key, and showed "WB" with a B underlined.
        "W&&B — hosted Weave (trace.wandb.ai or your W&&B host)", "Another Weave-compatible server" };
    for (int i = 0; i < 3; ++i) {
        auto* radio = new QRadioButton(tr(labels[i]), this);
        m_kind->addButton(radio, i);
        layout->addWidget(radio);
    }
    auto* form = new QFormLayout;
    m_url->setPlaceholderText(QStringLiteral("https://trace.wandb.ai"));
    m_url->setText(current.url.toString());
    m_key->setEchoMode(QLineEdit::Password);
    m_key->setPlaceholderText(tr("API key (never stored in plain settings)"));
    m_key->setText(current.apiKey);
    m_keySource->setStyleSheet(QStringLiteral("color: #666;"));
    form->addRow(tr("Server URL"), m_url);
    form->addRow(tr("API key"), m_key);
    form->addRow(QString(), m_keySource);
    form->addRow(QString(), m_saveKey);
    layout->addLayout(form);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Connect"));
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    m_kind->button(int(current.kind))->setChecked(true);
    connect(m_kind, &QButtonGroup::idClicked, this, [this](int id) {
        if (id == int(ConnectionProfile::Kind::Wandb) && m_url->text().isEmpty())
            m_url->setText(QStringLiteral("https://trace.wandb.ai"));
        updateEnabled();
    });
    connect(m_url, &QLineEdit::textChanged, this, &ConnectionDialog::updateEnabled);
    updateEnabled();
}

void ConnectionDialog::setKeySource(const QString& source)
{
    m_keySource->setText(source);
}

void ConnectionDialog::updateEnabled()
{
    const bool remote = m_kind->checkedId() != int(ConnectionProfile::Kind::Local);
    m_url->setEnabled(remote);
    m_key->setEnabled(remote);
    m_saveKey->setEnabled(remote);
    const QUrl url = ConnectionProfile::urlFromUserInput(m_url->text());
    const bool valid = !remote
        || (url.isValid()
            && (url.scheme() == QLatin1String("http") || url.scheme() == QLatin1String("https")));
    if (auto* ok = findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok))
        ok->setEnabled(valid);
}

ConnectionProfile ConnectionDialog::profile() const
{
    ConnectionProfile profile;
    profile.kind = static_cast<ConnectionProfile::Kind>(m_kind->checkedId());
    if (profile.kind != ConnectionProfile::Kind::Local)
        profile.url = ConnectionProfile::urlFromUserInput(m_url->text());
    profile.apiKey = m_key->text().trimmed();
    profile.saveKeyInKeychain = m_saveKey->isChecked() && !profile.apiKey.isEmpty();
    return profile;
}

} // namespace spindle::ui
