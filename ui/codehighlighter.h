#pragma once

#include <QRegularExpression>
#include <QSyntaxHighlighter>

namespace spindle::ui {

// A light highlighter for captured op source (Python from the Python SDK, JS/TS from the TS SDK):
// keywords, strings, numbers, comments and decorators.
class CodeHighlighter : public QSyntaxHighlighter
{
    Q_OBJECT
public:
    explicit CodeHighlighter(QTextDocument* document);

protected:
    void highlightBlock(const QString& text) override;

private:
    struct Rule
    {
        QRegularExpression pattern;
        QTextCharFormat format;
    };
    QVector<Rule> m_rules;
};

} // namespace spindle::ui
