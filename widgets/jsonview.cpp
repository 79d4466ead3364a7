#include "widgets/jsonview.h"

#include "widgets/keyhelp.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonObject>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QScopedValueRollback>
#include <QStackedWidget>
#include <QStyle>
#include <QStyledItemDelegate>
#include <QToolButton>
#include <QTreeView>
#include <QVBoxLayout>

namespace spindle::widgets {

using models::JsonTreeModel;

namespace {

constexpr int kSearchDelayMs = 250;
constexpr int kMaxAutoExpandedRows = 50;

// Keys are cut at the right. The view's middle elision, kept for values (their "… (N chars)" stays
// in sight), turned the group key "[10000 … 10999]" into a wrong-looking "[1000…0999]".
class KeyDelegate : public QStyledItemDelegate
{
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    // Rows as tall as the calls table's: Fusion's own, a line of text, are hard to aim at and
    // to read across three columns. With uniform row heights the key column's hint sets them all.
    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override
    {
        const QSize hint = QStyledItemDelegate::sizeHint(option, index);
        return { hint.width(), std::max(hint.height(), option.fontMetrics.height() + 6) };
    }

protected:
    void initStyleOption(QStyleOptionViewItem* option, const QModelIndex& index) const override
    {
        QStyledItemDelegate::initStyleOption(option, index);
        option->textElideMode = Qt::ElideRight;
    }
};

// The platform's keys for `standard`, plus `key` when the platform does not already use it.
QList<QKeySequence> withKey(QKeySequence::StandardKey standard, QKeyCombination key)
{
    QList<QKeySequence> keys = QKeySequence::keyBindings(standard);
    if (!keys.contains(QKeySequence(key)))
        keys.append(QKeySequence(key));
    return keys;
}

bool isEmptyValue(const QJsonValue& value)
{
    return value.isUndefined() || value.isNull() || (value.isObject() && value.toObject().isEmpty())
        || (value.isArray() && value.toArray().isEmpty());
}

// A weave:/// ref value (the row of `index`): Enter and a double-click open what it names.
bool isRef(const QModelIndex& index)
{
    return index.siblingAtColumn(0).data(models::JsonTreeModel::TypeNameRole) == QLatin1String("ref");
}

} // namespace

JsonView::JsonView(QWidget* parent)
    : QWidget(parent)
    , m_model(new JsonTreeModel(this))
    , m_stack(new QStackedWidget(this))
    , m_tree(new QTreeView)
    , m_search(new QLineEdit)
    , m_hitLabel(new QLabel)
    , m_previous(new QToolButton)
    , m_next(new QToolButton)
    , m_empty(new QLabel(tr("No value")))
{
    auto* content = new QWidget;
    auto* contentLayout = new QVBoxLayout(content);
    contentLayout->setContentsMargins(0, 0, 0, 0);
    contentLayout->setSpacing(4);
    auto* bar = new QWidget;
    setUpSearch(bar);
    contentLayout->addWidget(bar);
    contentLayout->addWidget(m_tree, 1);
    setUpTree();

    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->setEnabled(false);
    m_stack->addWidget(content);
    m_stack->addWidget(m_empty);
    m_stack->setCurrentWidget(m_empty);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_stack);

    m_searchDelay.setSingleShot(true);
    m_searchDelay.setInterval(kSearchDelayMs);
    connect(&m_searchDelay, &QTimer::timeout, this, [this] { runSearch(true); });
}

void JsonView::setUpSearch(QWidget* bar)
{
    auto* layout = new QHBoxLayout(bar);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    m_search->setPlaceholderText(tr("Search keys and values (Ctrl+F)"));
    m_search->setClearButtonEnabled(true);
    m_search->installEventFilter(this);
    declareSearchKeys();
    m_previous->setIcon(style()->standardIcon(QStyle::SP_ArrowUp));
    m_previous->setToolTip(tr("Previous match (Shift+Enter, Shift+F3)"));
    m_previous->setAccessibleName(tr("Previous match")); // a screen reader has no arrow to read
    m_next->setIcon(style()->standardIcon(QStyle::SP_ArrowDown));
    m_next->setToolTip(tr("Next match (Enter, F3)"));
    m_next->setAccessibleName(tr("Next match"));
    for (QToolButton* button : { m_previous, m_next }) {
        button->setAutoRaise(true);
        button->setEnabled(false);
    }
    m_hitLabel->setMinimumWidth(
        m_hitLabel->fontMetrics().horizontalAdvance(QStringLiteral("00000 of 00000+")));
    m_hitLabel->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    layout->addWidget(m_search, 1);
    layout->addWidget(m_hitLabel);
    layout->addWidget(m_previous);
    layout->addWidget(m_next);

    connect(m_search, &QLineEdit::textChanged, this, [this](const QString& text) {
        if (text.isEmpty())
            runSearch(false);
        else
            m_searchDelay.start();
    });
    connect(m_previous, &QToolButton::clicked, this, &JsonView::findPrevious);
    connect(m_next, &QToolButton::clicked, this, &JsonView::findNext);
    const auto addShortcut = [this](const QString& description, const QList<QKeySequence>& keys, auto slot) {
        auto* action = new QAction(this);
        action->setWhatsThis(description); // for the shortcut sheet; no text, so no menu entry
        action->setShortcuts(keys);
        action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        connect(action, &QAction::triggered, this, slot);
        addAction(action);
    };
    addShortcut(tr("Search the keys and values of the panel in focus"), { QKeySequence::Find }, [this] {
        m_search->setFocus(Qt::ShortcutFocusReason);
        m_search->selectAll();
    });
    addShortcut(tr("Next match"), withKey(QKeySequence::FindNext, Qt::Key_F3), [this] { findNext(); });
    addShortcut(tr("Previous match"), withKey(QKeySequence::FindPrevious, Qt::SHIFT | Qt::Key_F3),
        [this] { findPrevious(); });
}

QAction* JsonView::addTreeAction(
    const QString& text, const QList<QKeySequence>& keys, void (JsonView::*slot)())
{
    auto* action = new QAction(text, m_tree);
    action->setShortcuts(keys);
    action->setShortcutContext(Qt::WidgetShortcut);
    action->setShortcutVisibleInContextMenu(true);
    connect(action, &QAction::triggered, this, slot);
    m_tree->addAction(action);
    return action;
}

void JsonView::setUpTree()
{
    m_tree->setModel(m_model);
    m_tree->setUniformRowHeights(true);
    m_tree->setAlternatingRowColors(true);
    m_tree->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_tree->setSelectionMode(QAbstractItemView::SingleSelection);
    m_tree->setAllColumnsShowFocus(true);
    m_tree->setTextElideMode(Qt::ElideMiddle); // keeps the "… (N chars)" of long strings in sight
    m_tree->setItemDelegateForColumn(JsonTreeModel::KeyColumn, new KeyDelegate(m_tree));
    QHeaderView* header = m_tree->header();
    header->setStretchLastSection(false);
    header->setSectionResizeMode(JsonTreeModel::ValueColumn, QHeaderView::Stretch);
    header->resizeSection(JsonTreeModel::KeyColumn, m_keyWidth);
    header->resizeSection(
        JsonTreeModel::TypeColumn, m_tree->fontMetrics().horizontalAdvance(QStringLiteral("boolean")) + 24);
    // A drag of the key column is what the user wants; it is kept (within the cap) on resizes.
    connect(header, &QHeaderView::sectionResized, this, [this](int section, int, int size) {
        if (section == JsonTreeModel::KeyColumn && !m_settingKeyWidth)
            m_keyWidth = size;
    });
    m_tree->viewport()->installEventFilter(this); // resizes: keep room for the values

    m_tree->installEventFilter(this); // Space: the item view would take it for selection
    m_tree->setContextMenuPolicy(Qt::ActionsContextMenu);
    addTreeAction(tr("Copy value"), { QKeySequence::Copy }, &JsonView::copyValue);
    addTreeAction(tr("Copy path"), { QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C) }, &JsonView::copyPath);
    addTreeAction(tr("Show full value…"), { QKeySequence(Qt::Key_Space) }, &JsonView::showFullValue);
    m_openRef = addTreeAction(
        tr("Open ref…"), { QKeySequence(Qt::Key_Return), QKeySequence(Qt::Key_Enter) }, &JsonView::openRef);
    m_openRef->setEnabled(false);
    connect(m_tree->selectionModel(), &QItemSelectionModel::currentChanged, m_openRef,
        [this](const QModelIndex& current) { m_openRef->setEnabled(isRef(current)); });
    auto* separator = new QAction(m_tree);
    separator->setSeparator(true);
    m_tree->addAction(separator);
    auto* collapse = new QAction(tr("Collapse all"), m_tree);
    connect(collapse, &QAction::triggered, m_tree, &QTreeView::collapseAll);
    m_tree->addAction(collapse);
    connect(m_tree, &QTreeView::expanded, this, [this] { fitKeyColumn(false); });
    connect(m_tree, &QTreeView::doubleClicked, this, [this](const QModelIndex& index) {
        if (isRef(index))
            openRef(); // the value it names, not its text
        else if (!m_model->hasChildren(index.siblingAtColumn(0)))
            showFullValue();
    });
}

void JsonView::setValue(const QJsonValue& value, const QString& rootPath)
{
    m_model->setValue(value, rootPath);
    m_openRef->setEnabled(false); // the reset moves the current row without currentChanged
    m_stack->setCurrentWidget(isEmptyValue(value) ? static_cast<QWidget*>(m_empty) : m_stack->widget(0));
    expandFirstLevel();
    runSearch(false);
}

void JsonView::clear()
{
    setValue(QJsonValue(QJsonValue::Undefined), QString());
}

void JsonView::setEmptyText(const QString& text)
{
    m_empty->setText(text);
}

QString JsonView::emptyText() const
{
    return m_empty->text();
}

bool JsonView::isEmptyState() const
{
    return m_stack->currentWidget() == m_empty;
}

void JsonView::expandFirstLevel()
{
    const int rows = m_model->rowCount();
    if (rows <= kMaxAutoExpandedRows) {
        for (int row = 0; row < rows; ++row)
            m_tree->expand(m_model->index(row, 0));
    }
    fitKeyColumn(true);
}

void JsonView::fitKeyColumn(bool allowShrink)
{
    const int before = m_keyWidth;
    m_settingKeyWidth = true;
    m_tree->resizeColumnToContents(JsonTreeModel::KeyColumn);
    m_settingKeyWidth = false;
    const int wanted = qBound(120, m_tree->columnWidth(JsonTreeModel::KeyColumn) + 12, 320);
    m_keyWidth = allowShrink ? wanted : std::max(before, wanted);
    applyKeyWidth();
}

// The key column takes at most 40% of a narrow view, so the (stretched) values stay readable.
void JsonView::applyKeyWidth()
{
    const int viewport = m_tree->viewport()->width();
    const int cap = std::max(80, viewport * 2 / 5);
    const QScopedValueRollback guard(m_settingKeyWidth, true);
    m_tree->setColumnWidth(JsonTreeModel::KeyColumn, std::min(m_keyWidth, cap));
}

void JsonView::setSearchText(const QString& text)
{
    const QSignalBlocker blocker(m_search);
    m_search->setText(text);
    runSearch(true);
}

void JsonView::runSearch(bool selectFirst)
{
    m_searchDelay.stop();
    m_searchedText = m_search->text();
    m_hits = m_model->search(m_searchedText, kMaxHits);
    m_currentHit = -1;
    if (selectFirst && !m_hits.isEmpty())
        goToHit(0);
    updateHitLabel();
}

void JsonView::findNext()
{
    if (m_searchDelay.isActive() || m_searchedText != m_search->text())
        return runSearch(true);
    if (!m_hits.isEmpty())
        goToHit((m_currentHit + 1) % int(m_hits.size()));
}

void JsonView::findPrevious()
{
    if (m_searchDelay.isActive() || m_searchedText != m_search->text())
        runSearch(false);
    if (!m_hits.isEmpty())
        goToHit(m_currentHit <= 0 ? int(m_hits.size()) - 1 : m_currentHit - 1);
}

void JsonView::goToHit(int hit)
{
    m_currentHit = hit;
    const models::JsonSearchHit& target = m_hits.at(hit);
    const QModelIndex index = m_model->indexForPositions(target.positions);
    if (index.isValid()) {
        QModelIndexList ancestors;
        for (QModelIndex parent = index.parent(); parent.isValid(); parent = parent.parent())
            ancestors.prepend(parent);
        for (const QModelIndex& ancestor : std::as_const(ancestors))
            m_tree->expand(ancestor);
        const QModelIndex cell =
            index.siblingAtColumn(target.inKey ? JsonTreeModel::KeyColumn : JsonTreeModel::ValueColumn);
        m_tree->setCurrentIndex(cell);
        m_tree->scrollTo(cell, QAbstractItemView::PositionAtCenter);
    }
    updateHitLabel();
}

QString JsonView::hitText() const
{
    if (m_searchedText.isEmpty())
        return {};
    if (m_hits.isEmpty())
        return tr("No matches");
    const QString total =
        QString::number(m_hits.size()) + (m_hits.size() >= kMaxHits ? QStringLiteral("+") : QString());
    if (m_currentHit < 0)
        return tr("%1 matches").arg(total);
    return tr("%1 of %2").arg(m_currentHit + 1).arg(total);
}

void JsonView::updateHitLabel()
{
    m_hitLabel->setText(hitText());
    m_previous->setEnabled(!m_hits.isEmpty());
    m_next->setEnabled(!m_hits.isEmpty());
}

// eventFilter's keys in the search field, for the shortcut sheet: the two change together.
void JsonView::declareSearchKeys()
{
    setKeyHelp(m_search,
        { { { QKeySequence(Qt::Key_Return) }, tr("Next match") },
            { { QKeySequence(Qt::SHIFT | Qt::Key_Return) }, tr("Previous match") },
            { { QKeySequence(Qt::Key_Escape) }, tr("Clear the search") } });
}

bool JsonView::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == m_tree->viewport() && event->type() == QEvent::Resize)
        applyKeyWidth();
    if (watched == m_tree && event->type() == QEvent::KeyPress) {
        const auto* key = static_cast<QKeyEvent*>(event);
        if (key->key() == Qt::Key_Space && key->modifiers() == Qt::NoModifier) {
            showFullValue();
            return true;
        }
    }
    if (watched == m_search && event->type() == QEvent::KeyPress) {
        const auto* key = static_cast<QKeyEvent*>(event);
        if (key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter) {
            if (key->modifiers() & Qt::ShiftModifier)
                findPrevious();
            else
                findNext();
            return true;
        }
        if (key->key() == Qt::Key_Escape && !m_search->text().isEmpty()) {
            m_search->clear();
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

void JsonView::copyValue()
{
    const QModelIndex index = m_tree->currentIndex();
    if (index.isValid())
        QApplication::clipboard()->setText(index.data(JsonTreeModel::FullTextRole).toString());
}

void JsonView::copyPath()
{
    const QModelIndex index = m_tree->currentIndex();
    if (index.isValid())
        QApplication::clipboard()->setText(index.data(JsonTreeModel::PathRole).toString());
}

void JsonView::openRef()
{
    const QModelIndex index = m_tree->currentIndex().siblingAtColumn(0);
    if (isRef(index))
        Q_EMIT refActivated(index.data(JsonTreeModel::FullTextRole).toString());
}

void JsonView::showFullValue()
{
    const QModelIndex index = m_tree->currentIndex();
    if (!index.isValid())
        return;
    QString title = index.data(JsonTreeModel::PathRole).toString();
    if (title.isEmpty())
        title = index.siblingAtColumn(JsonTreeModel::KeyColumn).data().toString();
    auto* dialog = new FullValueDialog(title, index.data(JsonTreeModel::FullTextRole).toString(),
        index.data(JsonTreeModel::IsMarkdownRole).toBool(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->show();
}

} // namespace spindle::widgets
