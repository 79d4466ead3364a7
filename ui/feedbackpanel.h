#pragma once

#include "net/traceclient.h"

#include <QHash>
#include <QWidget>

#include <functional>

class QLineEdit;
class QListWidget;

namespace spindle::ui {

// Feedback on one call: emoji reactions, notes and scorer results — listed, added
// (/feedback/create) and removed (/feedback/purge).
class FeedbackPanel : public QWidget
{
    Q_OBJECT
public:
    explicit FeedbackPanel(net::TraceClient* client, QWidget* parent = nullptr);
    void setCall(const QString& projectId, const QString& callId);
    int itemCount() const;
    void addReaction(const QString& emoji);
    void addNote(const QString& note);
    void removeSelected();

Q_SIGNALS:
    void changed();

private:
    void reload();
    // `onAnswer(created)` once the server has answered.
    void create(
        const QString& type, const QJsonObject& payload, const std::function<void(bool)>& onAnswer = {});

    net::TraceClient* m_client;
    QListWidget* m_list;
    QLineEdit* m_note;
    QString m_projectId;
    QString m_callId;
    QHash<QString, QString> m_drafts; // by call id: notes typed and not sent
    QHash<QString, QString> m_sending; // by call id: notes on their way to the server
    net::TraceClient::RequestId m_request = 0;
};

} // namespace spindle::ui
