#pragma once

#include "models/jsontreemodel.h"

#include <QDialog>
#include <QTimer>
#include <QWidget>

class QAction;
class QCheckBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QStackedWidget;
class QToolButton;
class QTreeView;

namespace spindle::widgets {

class OfflineTextBrowser;

// A JSON value as a lazy tree (JsonTreeModel) with search and copy. The search looks through the
// whole value, not only expanded rows; each hit is expanded to and selected. Enter/F3 go to the
// next hit, Shift+Enter/Shift+F3 to the previous one. Ctrl+C copies the current value, Ctrl+Shift+C
// its path, Space or a double-click on a leaf shows the whole value. An empty value shows the
// empty text ("No inputs").
class JsonView : public QWidget
{
    Q_OBJECT
public:
    static constexpr int kMaxHits = 10000;

    explicit JsonView(QWidget* parent = nullptr);
    void setValue(const QJsonValue& value, const QString& rootPath);
    void clear();
    void setEmptyText(const QString& text); // what the view says when the value is empty or absent
    QString emptyText() const;
    bool isEmptyState() const;

    void setSearchText(const QString& text); // searches at once, selecting the first hit
    int hitCount() const
    {
        return int(m_hits.size());
    }
    int currentHit() const
    {
        return m_currentHit;
    }
    QString hitText() const; // "3 of 12"

    models::JsonTreeModel* model() const
    {
        return m_model;
    }
    QTreeView* treeView() const
    {
        return m_tree;
    }
    QLineEdit* searchField() const
    {
        return m_search;
    }

public Q_SLOTS:
    void findNext();
    void findPrevious();
    void copyValue();
    void copyPath();
    void showFullValue();
    void openRef(); // the current value, when it is a weave:/// ref: refActivated

Q_SIGNALS:
    void refActivated(const QString& ref);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void declareSearchKeys();
    QAction* addTreeAction(const QString& text, const QList<QKeySequence>& keys, void (JsonView::*slot)());
    void setUpTree();
    void setUpSearch(QWidget* bar);
    void runSearch(bool selectFirst);
    void goToHit(int hit);
    void updateHitLabel();
    void expandFirstLevel();
    void fitKeyColumn(bool allowShrink);
    void applyKeyWidth();

    models::JsonTreeModel* m_model;
    QStackedWidget* m_stack;
    QTreeView* m_tree;
    QLineEdit* m_search;
    QLabel* m_hitLabel;
    QToolButton* m_previous;
    QToolButton* m_next;
    QLabel* m_empty;
    QTimer m_searchDelay;
    QVector<models::JsonSearchHit> m_hits;
    int m_currentHit = -1;
    QString m_searchedText;
    int m_keyWidth = 180; // what the keys (or the user's drag) want; a narrow view shows less
    bool m_settingKeyWidth = false;
    QAction* m_openRef = nullptr; // enabled on a ref value
};

// The whole of one value, read-only: plain text (wrapped or not) or rendered Markdown, with Copy
// and Save. Beyond kMaxShownChars only the head is shown, and the dialog says so; Copy and Save
// always take the whole text.
class FullValueDialog : public QDialog
{
    Q_OBJECT
public:
    static constexpr qsizetype kMaxShownChars = 1000000;
    static constexpr qsizetype kMaxMarkdownChars = 200000;

    FullValueDialog(const QString& title, const QString& text, bool markdown, QWidget* parent = nullptr);
    bool isShowingMarkdown() const;
    QString shownText() const;
    QString infoText() const;

private:
    void setMarkdown(bool on);
    void save();

    QString m_text;
    QLabel* m_info;
    QStackedWidget* m_pages;
    QPlainTextEdit* m_plain;
    OfflineTextBrowser* m_rendered;
    QCheckBox* m_markdown;
    QCheckBox* m_wrap;
};

} // namespace spindle::widgets
