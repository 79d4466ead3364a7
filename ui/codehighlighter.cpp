#include "ui/codehighlighter.h"

namespace spindle::ui {

CodeHighlighter::CodeHighlighter(QTextDocument* document)
    : QSyntaxHighlighter(document)
{
    const auto format = [](const char* color, bool bold = false, bool italic = false) {
        QTextCharFormat f;
        f.setForeground(QColor(QString::fromLatin1(color)));
        if (bold)
            f.setFontWeight(QFont::Bold);
        f.setFontItalic(italic);
        return f;
    };
    const QString keywords =
        QStringLiteral("\\b(def|class|return|if|elif|else|for|while|in|not|and|or|import|from|as|with|try|"
                       "except|finally|raise|"
                       "async|await|yield|lambda|None|True|False|pass|break|continue|global|nonlocal|"
                       "function|const|let|var|new|"
                       "this|null|undefined|true|false|export|default|throw|catch|typeof|instanceof|of)\\b");
    m_rules.append({ QRegularExpression(keywords), format("#8b2fc9", true) });
    m_rules.append({ QRegularExpression(QStringLiteral("\\b[0-9]+(\\.[0-9]+)?\\b")), format("#0b7285") });
    m_rules.append({ QRegularExpression(QStringLiteral("^\\s*@[\\w.]+")), format("#a15c00") });
    m_rules.append(
        { QRegularExpression(QStringLiteral("\"[^\"\\n]*\"|'[^'\\n]*'|`[^`\\n]*`")), format("#2b8a3e") });
    m_rules.append({ QRegularExpression(QStringLiteral("(#|//).*$")), format("#868e96", false, true) });
}

void CodeHighlighter::highlightBlock(const QString& text)
{
    for (const Rule& rule : std::as_const(m_rules)) {
        auto matches = rule.pattern.globalMatch(text);
        while (matches.hasNext()) {
            const auto match = matches.next();
            setFormat(int(match.capturedStart()), int(match.capturedLength()), rule.format);
        }
    }
}

} // namespace spindle::ui
