#include "ui/calldetailpanel.h"

#include "models/callstablemodel.h"
#include "widgets/statusdelegate.h"

#include <QApplication>
#include <QClipboard>
#include <QFontDatabase>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QPlainTextEdit>
#include <QTabWidget>
#include <QToolButton>
#include <QVBoxLayout>

namespace spindle::ui {
namespace {

constexpr int kPreviewLimit = 200000; // a huge value is cut for the first paint; copy gives all

QString pretty(const QJsonValue& value)
{
    QString text;
    if (value.isObject())
        text = QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Indented));
    else if (value.isArray())
        text = QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Indented));
    else
        text = models::jsonCellText(value);
    if (text.size() > kPreviewLimit)
        text = text.left(kPreviewLimit)
            + QStringLiteral("\n… (%1 more characters)").arg(text.size() - kPreviewLimit);
    return text;
}

} // namespace

CallDetailPanel::CallDetailPanel(QWidget* parent)
    : QWidget(parent)
    , m_title(new QLabel(this))
    , m_meta(new QLabel(this))
    , m_copyId(new QToolButton(this))
    , m_tabs(new QTabWidget(this))
    , m_empty(new QLabel(tr("Select a call to see its inputs, output and cost."), this))
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 4, 4, 4);
    QFont titleFont = m_title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.25);
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_meta->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_meta->setWordWrap(true);
    m_copyId->setText(tr("Copy ID"));
    m_copyId->setToolTip(tr("Copy the call id to the clipboard"));
    connect(m_copyId, &QToolButton::clicked, this, [this] { QApplication::clipboard()->setText(m_callId); });
    auto* header = new QHBoxLayout;
    header->addWidget(m_title, 1);
    header->addWidget(m_copyId);
    layout->addLayout(header);
    layout->addWidget(m_meta);
    layout->addWidget(m_tabs, 1);
    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->setStyleSheet(QStringLiteral("color: #777;"));
    layout->addWidget(m_empty, 1);
    m_inputs = addJsonTab(tr("Inputs"));
    m_output = addJsonTab(tr("Output"));
    m_exception = addJsonTab(tr("Exception"));
    m_attributes = addJsonTab(tr("Attributes"));
    m_summary = addJsonTab(tr("Summary"));
    clear();
}

QPlainTextEdit* CallDetailPanel::addJsonTab(const QString& title)
{
    auto* edit = new QPlainTextEdit(m_tabs);
    edit->setReadOnly(true);
    edit->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    edit->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_tabs->addTab(edit, title);
    return edit;
}

void CallDetailPanel::clear()
{
    m_callId.clear();
    m_title->clear();
    m_meta->clear();
    m_copyId->hide();
    m_tabs->hide();
    m_empty->show();
}

void CallDetailPanel::showCall(const spindle::Call& call)
{
    m_callId = call.id;
    m_empty->hide();
    m_tabs->show();
    m_copyId->show();
    m_title->setText(call.name());
    const QColor color = widgets::StatusDelegate::statusColor(call.status);
    QStringList meta;
    meta << QStringLiteral("<span style='color:%1'>●</span> %2")
                .arg(color.name(), call.status.toHtmlEscaped());
    meta << QDateTime::fromMSecsSinceEpoch(call.startedAtMs)
                .toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz"));
    if (call.latencyMs)
        meta << models::formatLatency(*call.latencyMs);
    if (call.totalTokens())
        meta << tr("%1 tokens").arg(call.totalTokens());
    if (const auto cost = call.totalCost())
        meta << models::formatCost(*cost);
    meta << tr("id %1").arg(call.id.toHtmlEscaped());
    meta << tr("trace %1").arg(call.traceId.toHtmlEscaped());
    m_meta->setText(meta.join(QStringLiteral(" · ")));
    m_meta->setToolTip(call.opName);
    m_inputs->setPlainText(pretty(call.inputs));
    m_output->setPlainText(pretty(call.output));
    m_exception->setPlainText(call.exception);
    m_attributes->setPlainText(pretty(call.attributes));
    m_summary->setPlainText(pretty(call.summary));
    m_tabs->setTabEnabled(2, !call.exception.isEmpty());
    if (!call.exception.isEmpty())
        m_tabs->setCurrentIndex(2);
    else if (m_tabs->currentIndex() == 2)
        m_tabs->setCurrentIndex(0);
}

} // namespace spindle::ui
