#pragma once

#include <QDialog>

class QLabel;

namespace spindle::net {
class TraceClient;
}
namespace spindle::widgets {
class JsonView;
}

namespace spindle::ui {

// The value a weave:/// object or op ref names, read from the server (/refs/read_batch) and shown
// as a tree; a ref inside it opens another such dialog. Non-modal: the detail stays usable.
class RefDialog : public QDialog
{
    Q_OBJECT
public:
    RefDialog(net::TraceClient* client, const QString& ref, QWidget* parent = nullptr);

    widgets::JsonView* view() const
    {
        return m_view;
    }
    bool isLoaded() const
    {
        return m_loaded;
    }
    QString statusText() const;

Q_SIGNALS:
    void callRefActivated(const QString& ref); // a call ref inside: the detail opens that call

private:
    net::TraceClient* m_client;
    widgets::JsonView* m_view;
    QLabel* m_status;
    bool m_loaded = false;
};

// An object or op ref opens in a RefDialog (shown, and returned so that its call refs can be
// followed); a call ref is the caller's to open (nullptr, `error` empty); anything else is nullptr
// with a message in `error`.
RefDialog* openObjectRef(net::TraceClient* client, const QString& ref, QWidget* parent, QString* error);

} // namespace spindle::ui
