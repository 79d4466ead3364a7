#pragma once

#include <QAbstractItemModel>
#include <QJsonValue>
#include <QVector>

#include <memory>
#include <vector>

namespace spindle::models {

// One search hit: the positions of the matching value from the root down (array index or the
// position of an object key in QJsonObject's sorted order), and whether the key or the value matched.
struct JsonSearchHit
{
    QVector<qsizetype> positions;
    bool inKey = false;
};

// Finds keys and values containing `needle` (case-insensitive) in the whole JSON value, not only
// the nodes a view has built. Stops after `maxHits`. Numbers, booleans and null match their text.
QVector<JsonSearchHit> findInJson(const QJsonValue& value, const QString& needle, int maxHits);

// A read-only tree over one JSON value (a call's inputs, output, summary...). Columns are the
// key, a one-line value and a type. Children are built lazily through canFetchMore/fetchMore, so
// a 10 MB array of 100k items costs nothing until it is expanded; containers with more than
// kGroupSize items are shown in groups ("[0 … 999]"), nested when needed. Long strings are
// shown as a one-line preview with their length, never silently cut: FullTextRole has the
// whole text. Weave's serialised types are recognised where cheap (datetimes, Markdown,
// CustomWeaveType and objects with `_type`, weave:/// refs).
class JsonTreeModel : public QAbstractItemModel
{
    Q_OBJECT
public:
    enum Column
    {
        KeyColumn,
        ValueColumn,
        TypeColumn,
        ColumnCount,
    };
    enum Role
    {
        PathRole = Qt::UserRole + 1, // "inputs.messages.0.content"; a group has its container's path
        RawValueRole, // the QJsonValue (a group: its slice of the container)
        FullTextRole, // the whole string; containers as indented JSON
        TypeNameRole, // as in TypeColumn: string, number, datetime, Markdown, ...
        IsMarkdownRole, // a weave Markdown value: FullTextRole is its markup
        IsGroupRole, // a "[0 … 999]" group row rather than a value
        TextLengthRole, // characters of a string value (-1 for other values)
    };

    static constexpr qsizetype kGroupSize = 1000;
    static constexpr qsizetype kPreviewThreshold = 500; // strings longer than this get a preview

    explicit JsonTreeModel(QObject* parent = nullptr);
    ~JsonTreeModel() override;

    // Replaces the shown value. `rootPath` prefixes every PathRole ("inputs", "output").
    void setValue(const QJsonValue& value, const QString& rootPath);
    void clear();
    QJsonValue value() const
    {
        return m_value;
    }
    QString rootPath() const
    {
        return m_rootPath;
    }
    // Nodes built so far (rows created by fetchMore), for tests and diagnostics.
    qsizetype builtNodeCount() const
    {
        return m_builtNodes;
    }

    QVector<JsonSearchHit> search(const QString& needle, int maxHits) const;
    // The index of the value at `positions` (as in JsonSearchHit), fetching the rows on the way.
    QModelIndex indexForPositions(const QVector<qsizetype>& positions);

    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    bool hasChildren(const QModelIndex& parent = {}) const override;
    bool canFetchMore(const QModelIndex& parent) const override;
    void fetchMore(const QModelIndex& parent) override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    struct Node;

private:
    Node* nodeFor(const QModelIndex& index) const;
    std::vector<Node> makeChildren(Node* node);
    QVariant valueData(const Node& node, int role) const;

    std::unique_ptr<Node> m_root;
    QJsonValue m_value;
    QString m_rootPath;
    qsizetype m_builtNodes = 0;
};

} // namespace spindle::models
