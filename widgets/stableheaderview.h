#pragma once

#include <QHeaderView>
#include <QStringList>

#include <optional>

namespace spindle::widgets {

// A horizontal header that keeps its sections through a model reset that leaves them as they
// were. QHeaderView redoes its sections, its size hint and its whole paint on every reset, which
// for the calls table is every query change: a tenth of the frame that shows the new query's first
// rows (docs/benchmarks.md, C10). A reset that changes the column count or a title is Qt's as usual.
class StableHeaderView : public QHeaderView
{
    Q_OBJECT
public:
    explicit StableHeaderView(QWidget* parent = nullptr);

    void setModel(QAbstractItemModel* model) override;
    void reset() override;

private:
    QStringList sectionTitles() const;

    QMetaObject::Connection m_aboutToReset;
    std::optional<QStringList> m_titlesBeforeReset;
};

} // namespace spindle::widgets
