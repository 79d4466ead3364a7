#include "models/jsontreemodel.h"

#include "models/jsonvaluetext.h"

#include <QColor>
#include <QFont>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <utility>
#include <vector>

namespace spindle::models {

struct JsonTreeModel::Node
{
    enum Kind : quint8
    {
        Object,
        Array,
        Group, // a slice [first, last) of its parent container
        String,
        Scalar, // number, bool, null
        Wrapper, // the invisible root above a scalar value
    };
    Node* parent = nullptr;
    int row = 0;
    Kind kind = Scalar;
    bool fetched = false;
    bool markdown = false; // `text` is weave Markdown
    bool inObject = false; // a group: its items are object members
    QString key;
    QString path;
    QJsonValue value; // containers and groups: the whole container; scalars: the value
    QString text; // strings; a Markdown's markup; a weave datetime's ISO text
    QString display;
    QString typeName;
    qsizetype first = 0; // containers and groups: the items [first, last) this node covers
    qsizetype last = 0;
    std::vector<Node> children;

    qsizetype itemCount() const
    {
        return last - first;
    }
    bool holdsObjectItems() const
    {
        return kind == Object || (kind == Group && inObject);
    }
};

namespace {

using Node = JsonTreeModel::Node;
using detail::oneLine;
using detail::scalarText;

constexpr qsizetype kTooltipChars = 1000;

Node makeNode(Node* parent, int row, const QString& key, const QString& path, const QJsonValue& value)
{
    Node node;
    node.parent = parent;
    node.row = row;
    node.key = key;
    node.path = path;
    detail::ValueText described = detail::describeValue(value);
    node.typeName = std::move(described.typeName);
    node.display = std::move(described.display);
    node.text = std::move(described.text);
    node.markdown = described.markdown;
    switch (value.type()) {
    case QJsonValue::Object:
        node.kind = Node::Object;
        node.value = value;
        node.last = value.toObject().size();
        break;
    case QJsonValue::Array:
        node.kind = Node::Array;
        node.value = value;
        node.last = value.toArray().size();
        break;
    case QJsonValue::String:
        node.kind = Node::String;
        break;
    default:
        node.value = value;
        break;
    }
    return node;
}

QString joinPath(const QString& path, const QString& key)
{
    return path.isEmpty() ? key : path + u'.' + key;
}

QString groupLabel(const Node& container, qsizetype first, qsizetype last)
{
    if (!container.holdsObjectItems())
        return QStringLiteral("[%1 … %2]").arg(first).arg(last - 1);
    const QJsonObject object = container.value.toObject();
    return QStringLiteral("{%1 … %2}")
        .arg(oneLine((object.constBegin() + first).key(), 30),
            oneLine((object.constBegin() + last - 1).key(), 30));
}

Node makeGroup(Node* parent, int row, qsizetype first, qsizetype last)
{
    Node group;
    group.parent = parent;
    group.row = row;
    group.kind = Node::Group;
    group.inObject = parent->holdsObjectItems();
    group.value = parent->value;
    group.path = parent->path;
    group.first = first;
    group.last = last;
    group.key = groupLabel(*parent, first, last);
    group.display = QStringLiteral("%1 items").arg(last - first);
    return group;
}

// The group's items as a JSON value of their own (for copy and RawValueRole).
QJsonValue sliceOf(const Node& node)
{
    if (node.kind != Node::Group)
        return node.kind == Node::String ? QJsonValue(node.text) : node.value;
    if (node.inObject) {
        const QJsonObject object = node.value.toObject();
        QJsonObject slice;
        for (auto it = object.constBegin() + node.first; it != object.constBegin() + node.last; ++it)
            slice.insert(it.key(), it.value());
        return slice;
    }
    const QJsonArray array = node.value.toArray();
    QJsonArray slice;
    for (qsizetype i = node.first; i < node.last; ++i)
        slice.append(array.at(i));
    return slice;
}

QString fullText(const Node& node)
{
    if (node.kind == Node::String || node.markdown || !node.text.isEmpty())
        return node.text;
    if (node.kind == Node::Scalar)
        return node.display;
    const QJsonValue value = sliceOf(node);
    return QString::fromUtf8(value.isObject()
            ? QJsonDocument(value.toObject()).toJson(QJsonDocument::Indented)
            : QJsonDocument(value.toArray()).toJson(QJsonDocument::Indented));
}

// Escaped and forced to rich text: a key or value that looks like HTML (<img src="file:///...">)
// is shown, not interpreted by the tooltip.
QString escapedTooltip(const QString& text)
{
    if (text.isEmpty())
        return {};
    return QStringLiteral("<p style='white-space:pre-wrap'>") + text.toHtmlEscaped() + QStringLiteral("</p>");
}

QString valueTooltip(const Node& node)
{
    QString text;
    if (node.kind == Node::String && node.text.size() > kTooltipChars)
        text = JsonTreeModel::tr("%1 characters. Double-click or press Space to see the whole value.")
                   .arg(node.text.size());
    else if (node.typeName == QLatin1String("datetime"))
        text = node.text;
    else if (node.typeName == QLatin1String("ref"))
        text = JsonTreeModel::tr("%1\nDouble-click or press Enter to open what it names.").arg(node.text);
    else if (node.kind == Node::String)
        text = node.text;
    return escapedTooltip(text);
}

bool scalarMatches(const QJsonValue& value, const QString& needle)
{
    return scalarText(value).contains(needle, Qt::CaseInsensitive);
}

void searchIn(const QJsonValue& value, const QString& needle, int maxHits, QVector<qsizetype>& positions,
    QVector<JsonSearchHit>& hits)
{
    const auto visit = [&](const QString* key, const QJsonValue& child) {
        if (key && key->contains(needle, Qt::CaseInsensitive))
            hits.append({ positions, true });
        else if (!child.isObject() && !child.isArray() && scalarMatches(child, needle))
            hits.append({ positions, false });
        if (hits.size() < maxHits && (child.isObject() || child.isArray()))
            searchIn(child, needle, maxHits, positions, hits);
    };
    qsizetype position = 0;
    if (value.isObject()) {
        const QJsonObject object = value.toObject();
        for (auto it = object.constBegin(); it != object.constEnd() && hits.size() < maxHits; ++it) {
            positions.append(position++);
            const QString key = it.key();
            visit(&key, it.value());
            positions.removeLast();
        }
    } else if (value.isArray()) {
        const QJsonArray array = value.toArray();
        for (qsizetype i = 0; i < array.size() && hits.size() < maxHits; ++i) {
            positions.append(position++);
            visit(nullptr, array.at(i));
            positions.removeLast();
        }
    }
}

} // namespace

QVector<JsonSearchHit> findInJson(const QJsonValue& value, const QString& needle, int maxHits)
{
    QVector<JsonSearchHit> hits;
    if (needle.isEmpty() || maxHits <= 0)
        return hits;
    QVector<qsizetype> positions;
    if (value.isObject() || value.isArray())
        searchIn(value, needle, maxHits, positions, hits);
    else if (!value.isUndefined() && scalarMatches(value, needle))
        hits.append({ positions, false });
    return hits;
}

JsonTreeModel::JsonTreeModel(QObject* parent)
    : QAbstractItemModel(parent)
    , m_root(std::make_unique<Node>())
{
    m_root->kind = Node::Wrapper;
    m_root->fetched = true;
}

JsonTreeModel::~JsonTreeModel() = default;

void JsonTreeModel::setValue(const QJsonValue& value, const QString& rootPath)
{
    beginResetModel();
    m_value = value;
    m_rootPath = rootPath;
    m_builtNodes = 0;
    if (value.isObject() || value.isArray()) {
        m_root = std::make_unique<Node>(makeNode(nullptr, 0, QString(), rootPath, value));
    } else {
        m_root = std::make_unique<Node>();
        m_root->kind = Node::Wrapper;
        m_root->last = value.isUndefined() ? 0 : 1;
    }
    m_root->children = makeChildren(m_root.get());
    m_root->fetched = true;
    endResetModel();
}

void JsonTreeModel::clear()
{
    setValue(QJsonValue(QJsonValue::Undefined), QString());
}

std::vector<JsonTreeModel::Node> JsonTreeModel::makeChildren(Node* node)
{
    std::vector<Node> children;
    const qsizetype count = node->itemCount();
    if (node->kind == Node::Wrapper) {
        if (count > 0) {
            const QString key = m_rootPath.isEmpty() ? tr("value") : m_rootPath;
            children.push_back(makeNode(node, 0, key, m_rootPath, m_value));
        }
    } else if (count > kGroupSize) {
        qsizetype step = kGroupSize;
        while (count > step * kGroupSize)
            step *= kGroupSize;
        children.reserve((count + step - 1) / step);
        for (qsizetype first = node->first; first < node->last; first += step)
            children.push_back(
                makeGroup(node, int(children.size()), first, std::min(first + step, node->last)));
    } else if (node->holdsObjectItems()) {
        const QJsonObject object = node->value.toObject();
        children.reserve(count);
        for (auto it = object.constBegin() + node->first; it != object.constBegin() + node->last; ++it)
            children.push_back(
                makeNode(node, int(children.size()), it.key(), joinPath(node->path, it.key()), it.value()));
    } else {
        const QJsonArray array = node->value.toArray();
        children.reserve(count);
        for (qsizetype i = node->first; i < node->last; ++i) {
            const QString key = QString::number(i);
            children.push_back(
                makeNode(node, int(children.size()), key, joinPath(node->path, key), array.at(i)));
        }
    }
    m_builtNodes += qsizetype(children.size());
    return children;
}

JsonTreeModel::Node* JsonTreeModel::nodeFor(const QModelIndex& index) const
{
    return index.isValid() ? static_cast<Node*>(index.internalPointer()) : m_root.get();
}

QVector<JsonSearchHit> JsonTreeModel::search(const QString& needle, int maxHits) const
{
    QVector<JsonSearchHit> hits = findInJson(m_value, needle, maxHits);
    if (m_root->kind == Node::Wrapper) {
        for (JsonSearchHit& hit : hits)
            hit.positions.prepend(0);
    }
    return hits;
}

QModelIndex JsonTreeModel::indexForPositions(const QVector<qsizetype>& positions)
{
    Node* node = m_root.get();
    QModelIndex index;
    for (const qsizetype position : positions) {
        for (;;) {
            if (canFetchMore(index))
                fetchMore(index);
            if (node->children.empty() || node->children.front().kind != Node::Group)
                break;
            auto group = std::find_if(node->children.begin(), node->children.end(),
                [position](const Node& g) { return position < g.last; });
            if (group == node->children.end())
                return {};
            node = &*group;
            index = createIndex(node->row, 0, node);
        }
        const qsizetype row = position - node->first;
        if (row < 0 || row >= qsizetype(node->children.size()))
            return {};
        node = &node->children[row];
        index = createIndex(node->row, 0, node);
    }
    return index;
}

QModelIndex JsonTreeModel::index(int row, int column, const QModelIndex& parent) const
{
    if (!hasIndex(row, column, parent))
        return {};
    Node* node = nodeFor(parent);
    return createIndex(row, column, &node->children[row]);
}

QModelIndex JsonTreeModel::parent(const QModelIndex& child) const
{
    if (!child.isValid())
        return {};
    Node* parent = nodeFor(child)->parent;
    if (!parent || parent == m_root.get())
        return {};
    return createIndex(parent->row, 0, parent);
}

int JsonTreeModel::rowCount(const QModelIndex& parent) const
{
    if (parent.column() > 0)
        return 0;
    return int(nodeFor(parent)->children.size());
}

int JsonTreeModel::columnCount(const QModelIndex&) const
{
    return ColumnCount;
}

bool JsonTreeModel::hasChildren(const QModelIndex& parent) const
{
    if (parent.column() > 0)
        return false;
    const Node* node = nodeFor(parent);
    return node->fetched ? !node->children.empty() : node->itemCount() > 0;
}

bool JsonTreeModel::canFetchMore(const QModelIndex& parent) const
{
    if (parent.column() > 0)
        return false;
    const Node* node = nodeFor(parent);
    return !node->fetched && node->itemCount() > 0;
}

void JsonTreeModel::fetchMore(const QModelIndex& parent)
{
    if (!canFetchMore(parent))
        return;
    Node* node = nodeFor(parent);
    // Built aside so that rowCount() stays 0 until the rows are announced.
    std::vector<Node> children = makeChildren(node);
    beginInsertRows(parent, 0, int(children.size()) - 1);
    node->children = std::move(children);
    node->fetched = true;
    endInsertRows();
}

QVariant JsonTreeModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid())
        return {};
    const Node& node = *nodeFor(index);
    switch (role) {
    case Qt::DisplayRole:
        return index.column() == KeyColumn  ? node.key
            : index.column() == ValueColumn ? node.display
                                            : node.typeName;
    case Qt::ToolTipRole:
        return index.column() == KeyColumn ? escapedTooltip(node.path) : valueTooltip(node);
    case Qt::FontRole: {
        if (node.kind != Node::Group
            && !(index.column() == ValueColumn && node.typeName == QLatin1String("null")))
            return {};
        QFont font;
        font.setItalic(true);
        return font;
    }
    case Qt::ForegroundRole:
        if (index.column() == TypeColumn || node.kind == Node::Group)
            return QColor(128, 128, 128);
        return {};
    default:
        return valueData(node, role);
    }
}

QVariant JsonTreeModel::valueData(const Node& node, int role) const
{
    switch (role) {
    case PathRole:
        return node.path;
    case RawValueRole:
        return QVariant::fromValue(sliceOf(node));
    case FullTextRole:
        return fullText(node);
    case TypeNameRole:
        return node.typeName;
    case IsMarkdownRole:
        return node.markdown;
    case IsGroupRole:
        return node.kind == Node::Group;
    case TextLengthRole:
        return node.kind == Node::String ? node.text.size() : qsizetype(-1);
    default:
        return {};
    }
}

QVariant JsonTreeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case KeyColumn:
        return tr("Key");
    case ValueColumn:
        return tr("Value");
    case TypeColumn:
        return tr("Type");
    default:
        return {};
    }
}

} // namespace spindle::models
