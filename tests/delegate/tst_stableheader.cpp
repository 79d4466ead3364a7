// StableHeaderView: a model reset that keeps the columns leaves the header as it was (no repaint,
// the same widths); one that changes a title or the column count is QHeaderView's as usual.
#include "widgets/fastgridtableview.h"
#include "widgets/stableheaderview.h"

#include <QAbstractTableModel>
#include <QtTest>

using spindle::widgets::FastGridTableView;
using spindle::widgets::StableHeaderView;

namespace {

// Rows and column titles that a reset replaces together, as the calls model does on a new query.
class ResettingModel : public QAbstractTableModel
{
public:
    int rowCount(const QModelIndex& parent = {}) const override
    {
        return parent.isValid() ? 0 : m_rows;
    }
    int columnCount(const QModelIndex& parent = {}) const override
    {
        return parent.isValid() ? 0 : int(m_titles.size());
    }
    QVariant data(const QModelIndex& index, int role) const override
    {
        return role == Qt::DisplayRole
            ? QVariant(QStringLiteral("%1/%2").arg(index.row()).arg(index.column()))
            : QVariant();
    }
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override
    {
        if (orientation == Qt::Horizontal && role == Qt::DisplayRole)
            return m_titles.value(section);
        return QAbstractTableModel::headerData(section, orientation, role);
    }
    void resetTo(int rows, const QStringList& titles)
    {
        beginResetModel();
        m_rows = rows;
        m_titles = titles;
        endResetModel();
    }

private:
    int m_rows = 0;
    QStringList m_titles;
};

// Counts the paint events of one widget.
class PaintCounter : public QObject
{
public:
    explicit PaintCounter(QWidget* widget)
    {
        widget->installEventFilter(this);
    }
    bool eventFilter(QObject*, QEvent* event) override
    {
        paints += event->type() == QEvent::Paint;
        return false;
    }
    int paints = 0;
};

const QStringList kTitles { QStringLiteral("Status"), QStringLiteral("Name"), QStringLiteral("Called") };

} // namespace

class TestStableHeader : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void sameColumnsKeepTheHeader();
    void changedTitleRepaints();
    void changedColumnCountResets();

private:
    std::unique_ptr<FastGridTableView> m_view;
    ResettingModel* m_model = nullptr;
    StableHeaderView* m_header = nullptr;
};

void TestStableHeader::init()
{
    m_view = std::make_unique<FastGridTableView>();
    m_model = new ResettingModel;
    m_model->setParent(m_view.get());
    m_model->resetTo(40, kTitles);
    m_view->setModel(m_model);
    m_header = qobject_cast<StableHeaderView*>(m_view->horizontalHeader());
    QVERIFY(m_header);
    m_view->setColumnWidth(1, 123);
    m_view->resize(500, 300);
    m_view->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_view.get()));
    QTest::qWait(20); // the first layout and paint
}

void TestStableHeader::cleanup()
{
    m_view.reset();
}

void TestStableHeader::sameColumnsKeepTheHeader()
{
    PaintCounter header(m_header->viewport());
    PaintCounter rows(m_view->viewport());
    m_model->resetTo(60, kTitles); // more than fit, as before: the scroll bar stays
    QTest::qWait(30);
    QCOMPARE(header.paints, 0);
    QVERIFY(rows.paints > 0); // the table itself shows the new rows
    QCOMPARE(m_view->verticalHeader()->count(), 60);
    QCOMPARE(m_header->count(), 3);
    QCOMPARE(m_view->columnWidth(1), 123);
}

void TestStableHeader::changedTitleRepaints()
{
    PaintCounter header(m_header->viewport());
    m_model->resetTo(7, { kTitles[0], QStringLiteral("Op"), kTitles[2] });
    QTRY_VERIFY(header.paints > 0);
    QCOMPARE(m_header->count(), 3);
}

void TestStableHeader::changedColumnCountResets()
{
    m_model->resetTo(7, kTitles + QStringList { QStringLiteral("Latency") });
    QCOMPARE(m_header->count(), 4);
    m_model->resetTo(7, { kTitles[0] });
    QCOMPARE(m_header->count(), 1);
    QTest::qWait(30); // those resets' repaints
    // and a later reset with the same columns is kept again
    PaintCounter header(m_header->viewport());
    m_model->resetTo(3, { kTitles[0] });
    QTest::qWait(30);
    QCOMPARE(header.paints, 0);
    QCOMPARE(m_view->verticalHeader()->count(), 3);
}

QTEST_MAIN(TestStableHeader)
#include "tst_stableheader.moc"
