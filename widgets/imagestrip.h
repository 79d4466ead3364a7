#pragma once

#include <QScrollArea>

class QHBoxLayout;

namespace spindle::widgets {

// A row of thumbnails (images a call took or produced); click one to see it full size.
class ImageStrip : public QScrollArea
{
    Q_OBJECT
public:
    explicit ImageStrip(QWidget* parent = nullptr);
    void clear();
    void addImage(const QImage& image, const QString& caption);
    int imageCount() const
    {
        return m_count;
    }

private:
    QWidget* m_content;
    QHBoxLayout* m_row;
    int m_count = 0;
};

} // namespace spindle::widgets
