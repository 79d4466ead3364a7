#pragma once

#include <QFrame>

class QLabel;
class QToolButton;

namespace spindle::widgets {

// A non-modal message strip above the page: errors from the server (with its reason), or news.
// It stays until dismissed or replaced; repeated identical messages are counted, not stacked.
class Banner : public QFrame
{
    Q_OBJECT
public:
    enum class Kind
    {
        Error,
        Info,
    };
    explicit Banner(QWidget* parent = nullptr);
    void showMessage(const QString& text, Kind kind = Kind::Error);
    void dismiss(); // what the close button does
    QString text() const;

private:
    QLabel* m_label;
    QToolButton* m_close;
    QString m_lastText;
    int m_repeats = 0;
};

} // namespace spindle::widgets
