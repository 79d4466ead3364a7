#pragma once

#include <QDialog>
#include <QUrl>

class QButtonGroup;
class QCheckBox;
class QLabel;
class QLineEdit;

namespace spindle::ui {

// A connection profile: the local embedded server, W&B (hosted Weave), or another server.
struct ConnectionProfile
{
    enum class Kind
    {
        Local,
        Wandb,
        Custom,
    };
    Kind kind = Kind::Local;
    QUrl url; // Wandb: https://trace.wandb.ai or https://<host>/traces; Custom: any Weave-compatible server
    QString apiKey; // never stored in settings; comes from the environment, ~/.netrc or the keychain
    bool saveKeyInKeychain = false;

    static ConnectionProfile load(); // the remembered kind and URL
    void save() const;
    QString keychainAccount() const; // the host the key belongs to
    // A typed server address: without a scheme it is https, so an API key never goes out in clear
    // text, except to this machine (a local server speaks http).
    static QUrl urlFromUserInput(const QString& text);
};

// Chooses the profile; shows where the API key was found and can store a typed key in the OS keychain.
class ConnectionDialog : public QDialog
{
    Q_OBJECT
public:
    ConnectionDialog(const ConnectionProfile& current, QWidget* parent = nullptr);
    ConnectionProfile profile() const;
    // Shown next to the key: "from WANDB_API_KEY", "from ~/.netrc", "from the keychain" ...
    void setKeySource(const QString& source);

private:
    void updateEnabled();

    QButtonGroup* m_kind;
    QLineEdit* m_url;
    QLineEdit* m_key;
    QLabel* m_keySource;
    QCheckBox* m_saveKey;
};

} // namespace spindle::ui
