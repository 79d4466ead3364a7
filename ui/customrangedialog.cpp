#include "ui/customrangedialog.h"

#include <QDateTimeEdit>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QVBoxLayout>

namespace spindle::ui {

CustomRangeDialog::CustomRangeDialog(const QDateTime& start, const QDateTime& end, QWidget* parent)
    : QDialog(parent)
    , m_start(new QDateTimeEdit(start.toLocalTime(), this))
    , m_end(new QDateTimeEdit(end.toLocalTime(), this))
    , m_error(new QLabel(this))
{
    setWindowTitle(tr("Custom range"));
    for (QDateTimeEdit* edit : { m_start, m_end }) {
        edit->setCalendarPopup(true);
        edit->setDisplayFormat(QStringLiteral("yyyy-MM-dd HH:mm"));
    }
    auto* form = new QFormLayout;
    form->addRow(tr("From"), m_start);
    form->addRow(tr("To"), m_end);
    m_error->setStyleSheet(QStringLiteral("color: #b00020"));
    m_error->setWordWrap(true);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(
        new QLabel(tr("Times are local. The dashboard compares the range with the one just before it "
                      "(up to %1 days).")
                       .arg(kMaxDays),
            this));
    layout->addLayout(form);
    layout->addWidget(m_error);
    layout->addWidget(buttons);
}

QString CustomRangeDialog::validate(const QDateTime& start, const QDateTime& end)
{
    if (!start.isValid() || !end.isValid())
        return tr("Both times are needed.");
    if (start >= end)
        return tr("“From” must be before “To”.");
    if (start.secsTo(end) > qint64(kMaxDays) * 86400)
        return tr("The range is longer than %1 days; pick a shorter one.").arg(kMaxDays);
    return {};
}

std::pair<QDateTime, QDateTime> CustomRangeDialog::range() const
{
    return { m_start->dateTime().toUTC(), m_end->dateTime().toUTC() };
}

void CustomRangeDialog::accept()
{
    const auto [start, end] = range();
    const QString error = validate(start, end);
    if (!error.isEmpty()) {
        m_error->setText(error);
        return;
    }
    QDialog::accept();
}

std::optional<std::pair<QDateTime, QDateTime>> CustomRangeDialog::ask(
    const QDateTime& start, const QDateTime& end, QWidget* parent)
{
    CustomRangeDialog dialog(start, end, parent);
    if (dialog.exec() != QDialog::Accepted)
        return std::nullopt;
    return dialog.range();
}

} // namespace spindle::ui
