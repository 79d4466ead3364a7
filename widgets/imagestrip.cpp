#include "widgets/imagestrip.h"

#include <QDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QToolButton>
#include <QVBoxLayout>

namespace spindle::widgets {
namespace {

constexpr int kThumbnailHeight = 120;

void showFullSize(QWidget* parent, const QImage& image, const QString& caption)
{
    auto* dialog = new QDialog(parent);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(caption);
    auto* layout = new QVBoxLayout(dialog);
    auto* area = new QScrollArea(dialog);
    auto* label = new QLabel(area);
    label->setPixmap(QPixmap::fromImage(image));
    area->setWidget(label);
    layout->addWidget(area);
    dialog->resize(std::min(image.width() + 40, 1200), std::min(image.height() + 40, 900));
    dialog->show();
}

} // namespace

ImageStrip::ImageStrip(QWidget* parent)
    : QScrollArea(parent)
    , m_content(new QWidget(this))
    , m_row(new QHBoxLayout(m_content))
{
    m_row->setContentsMargins(0, 0, 0, 0);
    m_row->addStretch(1);
    setWidget(m_content);
    setWidgetResizable(true);
    setFixedHeight(kThumbnailHeight + 40);
    setFrameShape(QFrame::NoFrame);
    hide();
}

void ImageStrip::clear()
{
    while (m_row->count() > 1) {
        QLayoutItem* item = m_row->takeAt(0);
        delete item->widget();
        delete item;
    }
    m_count = 0;
    hide();
}

void ImageStrip::addImage(const QImage& image, const QString& caption)
{
    auto* button = new QToolButton(m_content);
    const QImage thumbnail =
        image.scaledToHeight(std::min(kThumbnailHeight, image.height()), Qt::SmoothTransformation);
    button->setIcon(QPixmap::fromImage(thumbnail));
    button->setIconSize(thumbnail.size());
    button->setToolTip(
        tr("%1 — %2×%3, click to enlarge").arg(caption).arg(image.width()).arg(image.height()));
    button->setAccessibleName(tr("Image: %1").arg(caption));
    button->setAutoRaise(true);
    connect(
        button, &QToolButton::clicked, this, [this, image, caption] { showFullSize(this, image, caption); });
    m_row->insertWidget(m_count++, button);
    show();
}

} // namespace spindle::widgets
