#pragma once

#include <QDateTime>
#include <QDialog>

#include <optional>
#include <utility>

class QDateTimeEdit;
class QLabel;

namespace spindle::ui {

// Asks for a custom time range (start before end, at most kMaxDays long: the longest range the
// stats endpoint buckets), in local time; the answer is in UTC.
class CustomRangeDialog : public QDialog
{
    Q_OBJECT
public:
    static constexpr int kMaxDays = 31;

    CustomRangeDialog(const QDateTime& start, const QDateTime& end, QWidget* parent = nullptr);

    // Why the range cannot be used, or empty when it can.
    static QString validate(const QDateTime& start, const QDateTime& end);
    std::pair<QDateTime, QDateTime> range() const;
    void accept() override;

    static std::optional<std::pair<QDateTime, QDateTime>> ask(
        const QDateTime& start, const QDateTime& end, QWidget* parent);

private:
    QDateTimeEdit* m_start;
    QDateTimeEdit* m_end;
    QLabel* m_error;
};

} // namespace spindle::ui
