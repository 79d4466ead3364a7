// FullValueDialog (jsonview.h): the whole of one value as plain text or rendered Markdown, with Copy
// and Save.
#include "widgets/chatview.h"
#include "widgets/jsonview.h"
#include "widgets/savefile.h"

#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QStackedWidget>
#include <QVBoxLayout>

namespace spindle::widgets {

namespace {

// Qt lays out a line with no break opportunity in quadratic time when wrapping at word
// boundaries (a 2 MB base64 line takes minutes), so such text wraps anywhere instead.
QTextOption::WrapMode wrapModeFor(const QString& text)
{
    constexpr qsizetype kLongRun = 2000;
    qsizetype run = 0;
    for (const QChar c : text) {
        run = c.isSpace() ? 0 : run + 1;
        if (run > kLongRun)
            return QTextOption::WrapAnywhere;
    }
    return QTextOption::WrapAtWordBoundaryOrAnywhere;
}

} // namespace

FullValueDialog::FullValueDialog(const QString& title, const QString& text, bool markdown, QWidget* parent)
    : QDialog(parent)
    , m_text(text)
    , m_info(new QLabel(this))
    , m_pages(new QStackedWidget(this))
    , m_plain(new QPlainTextEdit)
    , m_rendered(new OfflineTextBrowser)
    , m_markdown(new QCheckBox(tr("Render as Markdown"), this))
    , m_wrap(new QCheckBox(tr("Wrap lines"), this))
{
    setWindowTitle(title.isEmpty() ? tr("Value") : title);
    resize(760, 540);
    m_plain->setReadOnly(true);
    m_plain->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    const QString shown = text.left(kMaxShownChars);
    m_plain->setWordWrapMode(wrapModeFor(shown));
    m_plain->setPlainText(shown);
    m_pages->addWidget(m_plain);
    m_pages->addWidget(m_rendered);
    m_info->setText(text.size() > kMaxShownChars
            ? tr("Showing the first %1 of %2 characters. Copy and Save take the whole value.")
                  .arg(kMaxShownChars)
                  .arg(text.size())
            : tr("%1 characters").arg(text.size()));
    m_wrap->setChecked(true);
    m_markdown->setEnabled(text.size() <= kMaxMarkdownChars);
    if (!m_markdown->isEnabled())
        m_markdown->setToolTip(tr("Too long to render as Markdown"));
    m_markdown->setChecked(markdown && m_markdown->isEnabled());

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    QPushButton* copy = buttons->addButton(tr("Copy"), QDialogButtonBox::ActionRole);
    QPushButton* saveButton = buttons->addButton(tr("Save…"), QDialogButtonBox::ActionRole);
    auto* options = new QHBoxLayout;
    options->addWidget(m_markdown);
    options->addWidget(m_wrap);
    options->addStretch(1);
    options->addWidget(buttons);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_info);
    layout->addWidget(m_pages, 1);
    layout->addLayout(options);

    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(copy, &QPushButton::clicked, this, [this] { QApplication::clipboard()->setText(m_text); });
    connect(saveButton, &QPushButton::clicked, this, &FullValueDialog::save);
    connect(m_wrap, &QCheckBox::toggled, this, [this](bool on) {
        m_plain->setLineWrapMode(on ? QPlainTextEdit::WidgetWidth : QPlainTextEdit::NoWrap);
    });
    connect(m_markdown, &QCheckBox::toggled, this, &FullValueDialog::setMarkdown);
    setMarkdown(m_markdown->isChecked());
}

bool FullValueDialog::isShowingMarkdown() const
{
    return m_pages->currentWidget() == m_rendered;
}

QString FullValueDialog::shownText() const
{
    return isShowingMarkdown() ? m_rendered->toPlainText() : m_plain->toPlainText();
}

QString FullValueDialog::infoText() const
{
    return m_info->text();
}

void FullValueDialog::setMarkdown(bool on)
{
    if (on && m_rendered->document()->isEmpty()) {
        m_rendered->setWordWrapMode(wrapModeFor(m_text));
        m_rendered->document()->setMarkdown(m_text, ChatView::kMarkdown);
    }
    m_pages->setCurrentWidget(on ? static_cast<QWidget*>(m_rendered) : m_plain);
    m_wrap->setEnabled(!on);
}

void FullValueDialog::save()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Save value"));
    if (path.isEmpty())
        return;
    QString error;
    if (!saveBytes(path, m_text.toUtf8(), &error))
        QMessageBox::warning(this, tr("Save value"), tr("Could not save %1: %2").arg(path, error));
}

} // namespace spindle::widgets
