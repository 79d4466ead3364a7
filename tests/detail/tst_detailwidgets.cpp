// JsonView and ChatView on the offscreen platform: empty states, first-level expansion, search
// (typed, Enter/Shift+Enter/F3, hits inside unbuilt groups), copy shortcuts, the full-value
// dialog (plain, Markdown, 10 MB), chat rendering (roles, tool calls, Markdown, long messages),
// and that trace content never makes the text browser read files. Each case grabs its widget to
// a PNG under <build>/tests/detail/screenshots for a human look.
#include "core/call.h"
#include "models/chatmessages.h"
#include "widgets/chatview.h"
#include "widgets/jsonview.h"

#include <QApplication>
#include <QClipboard>
#include <QDir>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineEdit>
#include <QPainter>
#include <QStyledItemDelegate>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBlock>
#include <QTreeView>

using namespace spindle;
using namespace spindle::widgets;
using models::JsonTreeModel;
using namespace Qt::StringLiterals;

// Declared before the fixtures: moc 6.4 loses track in some raw string literals.
class TestDetailWidgets : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void jsonViewEmptyState();
    void jsonViewTree();
    void jsonViewKeysElideAtTheRight();
    void jsonViewSearch();
    void jsonViewSearchTyped();
    void jsonViewSearchBigValue();
    void jsonViewCopy();
    void fullValueDialog();
    void fullValueDialogMarkdown();
    void fullValueDialogHuge();
    void chatView_data();
    void chatView();
    void chatViewMarkdown();
    void chatViewLongMessage();
    void chatViewNeverReadsFiles();
};

namespace {

QJsonObject parseObject(const QByteArray& json)
{
    QJsonParseError error {};
    const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject())
        qFatal("bad JSON in the test: %s (%s)", json.constData(), qPrintable(error.errorString()));
    return doc.object();
}

Call callFrom(const QByteArray& json)
{
    const QJsonObject object = parseObject(json);
    Call call;
    call.inputs = object.value("inputs"_L1).toObject();
    call.output = object.value("output"_L1);
    return call;
}

void saveShot(QWidget& widget, const QString& name, QSize size = QSize(760, 520))
{
    widget.resize(size);
    widget.show();
    QVERIFY(QTest::qWaitForWindowExposed(&widget));
    const QString dir = QStringLiteral(SPINDLE_TEST_OUTPUT_DIR) + "/screenshots"_L1;
    QVERIFY(QDir().mkpath(dir));
    const QString path = dir + u'/' + name + ".png"_L1;
    QVERIFY2(widget.grab().save(path), qPrintable(path));
}

const char* const kOpenAiTools = R"({"inputs": {"model": "gpt-4o", "temperature": 0.2, "messages": [
    {"role": "system", "content": "You are a **helpful** weather assistant. Answer in one sentence."},
    {"role": "user", "content": "What is the weather in Paris and in Lyon?"},
    {"role": "assistant", "content": null, "tool_calls": [
        {"id": "call_abc123", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\",\"unit\":\"celsius\"}"}},
        {"id": "call_def456", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\":\"Lyon\",\"unit\":\"celsius\"}"}}]},
    {"role": "tool", "tool_call_id": "call_abc123", "content": "{\"temp\": 22, \"sky\": \"sunny\"}"},
    {"role": "tool", "tool_call_id": "call_def456", "content": "{\"temp\": 18, \"sky\": \"cloudy\"}"}]},
  "output": {"id": "chatcmpl-9", "object": "chat.completion", "created": 1740823200, "model": "gpt-4o-2024-08-06",
    "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant",
      "content": "It is **22 C and sunny** in Paris, and *18 C and cloudy* in Lyon."}}],
    "usage": {"prompt_tokens": 120, "completion_tokens": 24, "total_tokens": 144}}})";

const char* const kAnthropic = R"({"inputs": {"model": "claude-3-5-sonnet-latest", "max_tokens": 1024,
  "system": [{"type": "text", "text": "You are a code reviewer.\n\nBe direct; cite line numbers."}],
  "messages": [
    {"role": "user", "content": [{"type": "text", "text": "Review this:\n\n```cpp\nint f(int x) { return x * 2; }\n```"}]},
    {"role": "assistant", "content": [{"type": "text", "text": "Let me run the tests first."},
      {"type": "tool_use", "id": "toolu_01A", "name": "run_tests", "input": {"target": "f_test", "verbose": true}}]},
    {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_01A", "content": "3 passed, 1 failed: overflow at INT_MAX", "is_error": true}]}]},
  "output": {"id": "msg_01", "type": "message", "role": "assistant", "stop_reason": "end_turn",
    "content": [{"type": "text", "text": "## Findings\n\n1. `f` overflows for `x > INT_MAX / 2` (line 1).\n2. Consider returning `long long`.\n\n| Case | Result |\n|---|---|\n| small | ok |\n| INT_MAX | **overflow** |"}]}})";

const char* const kContentParts = R"({"inputs": {"messages": [
    {"role": "developer", "content": "Describe images briefly."},
    {"role": "user", "content": [{"type": "text", "text": "What is in these pictures? ![local](file:///etc/hostname) here"},
      {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="}},
      {"type": "image_url", "image_url": {"url": "https://example.com/cat.jpg"}}]}]},
  "output": "A single pixel and a cat.\n\n> Note: the first image is 1x1."})";

// OpenAI's Responses API (openai.responses.create) and Google's generate_content (google.genai).
const char* const kResponses = R"({"inputs": {"model": "gpt-5", "instructions": "Answer from the tools.",
    "input": [{"role": "user", "content": "Weather in Oslo?"},
      {"type": "function_call", "call_id": "fc_1", "name": "get_weather", "arguments": "{\"city\": \"Oslo\"}"},
      {"type": "function_call_output", "call_id": "fc_1", "output": "{\"sky\": \"rain\", \"c\": 7}"}]},
  "output": {"object": "response", "output": [
      {"type": "reasoning", "summary": [{"type": "summary_text", "text": "The tool says rain."}]},
      {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "Rain, **7 °C**."}]}]}})";
const char* const kGemini = R"({"inputs": {"model": "gemini-2.5-flash",
    "config": {"system_instruction": {"parts": [{"text": "Be brief."}]}},
    "contents": [{"role": "user", "parts": [{"text": "Name a prime."}]}]},
  "output": {"candidates": [{"content": {"role": "model", "parts": [{"text": "**7**"}]}}]}})";

QJsonObject searchFixture()
{
    return parseObject(R"({"messages": [{"role": "user", "content": "Weather in Paris?"},
        {"role": "assistant", "content": "Paris is sunny."}], "paris_region": "IDF",
        "config": {"temperature": 0.2, "tags": ["travel", "france"]}})");
}

QModelIndex rowByKey(JsonTreeModel* model, const QModelIndex& parent, const QString& key)
{
    if (model->canFetchMore(parent))
        model->fetchMore(parent);
    for (int row = 0; row < model->rowCount(parent); ++row) {
        if (model->index(row, 0, parent).data().toString() == key)
            return model->index(row, 0, parent);
    }
    return {};
}

} // namespace

void TestDetailWidgets::jsonViewEmptyState()
{
    JsonView view;
    view.setEmptyText(u"No inputs"_s);
    QVERIFY(view.isEmptyState());
    view.setValue(QJsonObject(), u"inputs"_s);
    QVERIFY(view.isEmptyState());
    view.setValue(QJsonValue(QJsonValue::Null), u"output"_s);
    QVERIFY(view.isEmptyState());
    saveShot(view, u"jsonview_empty"_s, QSize(400, 200));
    view.setValue(QJsonValue(0), u"output"_s);
    QVERIFY(!view.isEmptyState());
    view.clear();
    QVERIFY(view.isEmptyState());
}

void TestDetailWidgets::jsonViewTree()
{
    JsonView view;
    const Call call = callFrom(kOpenAiTools);
    view.setValue(call.inputs, u"inputs"_s);
    QVERIFY(!view.isEmptyState());
    JsonTreeModel* model = view.model();
    const QModelIndex messages = rowByKey(model, {}, u"messages"_s);
    QVERIFY(view.treeView()->isExpanded(messages)); // the first level is open
    QCOMPARE(model->rowCount(messages), 5);
    QVERIFY(view.treeView()->uniformRowHeights());
    view.treeView()->expand(model->index(2, 0, messages));
    view.treeView()->expand(rowByKey(model, model->index(2, 0, messages), u"tool_calls"_s));
    saveShot(view, u"jsonview_inputs"_s);

    JsonView output;
    output.setValue(call.output, u"output"_s);
    saveShot(output, u"jsonview_output"_s);
}

// The view elides in the middle (for long values); a key cut in the middle read as another key:
// the group "[10000 … 10999]" showed as "[1000…0999]". Keys are cut at the right.
void TestDetailWidgets::jsonViewKeysElideAtTheRight()
{
    JsonView view;
    QJsonArray items;
    for (int i = 0; i < 20000; ++i)
        items.append(i);
    view.setValue(QJsonObject { { u"chunks"_s, items } }, u"inputs"_s);
    const QModelIndex chunks = rowByKey(view.model(), {}, u"chunks"_s);
    const QModelIndex group = view.model()->index(10, JsonTreeModel::KeyColumn, chunks);
    QCOMPARE(group.data().toString(), u"[10000 … 10999]"_s);
    const auto paint = [&](QAbstractItemDelegate* delegate, Qt::TextElideMode viewMode) {
        QStyleOptionViewItem option;
        option.initFrom(view.treeView());
        option.rect = QRect(0, 0, view.treeView()->fontMetrics().horizontalAdvance(u"[10000 … 1"_s), 20);
        option.textElideMode = viewMode; // what the view hands every cell
        option.features |= QStyleOptionViewItem::HasDisplay;
        QImage image(option.rect.size(), QImage::Format_ARGB32_Premultiplied);
        image.fill(Qt::white);
        QPainter painter(&image);
        delegate->paint(&painter, option, group);
        return image;
    };
    QAbstractItemDelegate* keys = view.treeView()->itemDelegateForColumn(JsonTreeModel::KeyColumn);
    QVERIFY(keys);
    QStyledItemDelegate plain;
    const QImage shown = paint(keys, view.treeView()->textElideMode());
    QCOMPARE(view.treeView()->textElideMode(), Qt::ElideMiddle);
    QCOMPARE(shown, paint(&plain, Qt::ElideRight));
    QVERIFY(shown != paint(&plain, Qt::ElideMiddle));
}

void TestDetailWidgets::jsonViewSearch()
{
    JsonView view;
    view.setValue(searchFixture(), u"inputs"_s);
    view.resize(700, 400);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.setSearchText(u"paris"_s);
    QCOMPARE(view.hitCount(), 3);
    QCOMPARE(view.hitText(), u"1 of 3"_s);
    const auto currentPath = [&view] {
        return view.treeView()->currentIndex().data(JsonTreeModel::PathRole).toString();
    };
    QCOMPARE(currentPath(), u"inputs.messages.0.content"_s);
    view.findNext();
    QCOMPARE(view.hitText(), u"2 of 3"_s);
    QCOMPARE(currentPath(), u"inputs.messages.1.content"_s);
    QTest::keyClick(view.searchField(), Qt::Key_Return);
    QCOMPARE(view.hitText(), u"3 of 3"_s);
    QCOMPARE(currentPath(), u"inputs.paris_region"_s); // a key hit
    QCOMPARE(view.treeView()->currentIndex().column(), int(JsonTreeModel::KeyColumn));
    QTest::keyClick(view.searchField(), Qt::Key_Return);
    QCOMPARE(view.hitText(), u"1 of 3"_s); // wraps
    QTest::keyClick(view.searchField(), Qt::Key_Return, Qt::ShiftModifier);
    QCOMPARE(view.hitText(), u"3 of 3"_s);
    QTest::keyClick(view.treeView(), Qt::Key_F3);
    QCOMPARE(view.hitText(), u"1 of 3"_s);
    QTest::keyClick(view.treeView(), Qt::Key_F3, Qt::ShiftModifier);
    QCOMPARE(view.hitText(), u"3 of 3"_s);

    view.setSearchText(u"FRANCE"_s);
    QCOMPARE(view.hitText(), u"1 of 1"_s);
    QCOMPARE(currentPath(), u"inputs.config.tags.1"_s);
    QVERIFY(view.treeView()->isExpanded(view.treeView()->currentIndex().parent()));
    saveShot(view, u"jsonview_search"_s, QSize(700, 400));
    view.setSearchText(u"no such text"_s);
    QCOMPARE(view.hitText(), u"No matches"_s);
    view.setSearchText(QString());
    QCOMPARE(view.hitText(), QString());
}

void TestDetailWidgets::jsonViewSearchTyped()
{
    JsonView view;
    view.setValue(searchFixture(), u"inputs"_s);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QTest::keyClicks(view.searchField(), u"sunny"_s);
    QTRY_COMPARE(view.hitText(), u"1 of 1"_s); // after the typing pause
    // A new value keeps the search text and counts again, without jumping.
    view.setValue(parseObject(R"({"a": "sunny", "b": "sunny"})"), u"output"_s);
    QCOMPARE(view.hitText(), u"2 matches"_s);
    QTest::keyClick(view.searchField(), Qt::Key_Return);
    QCOMPARE(view.hitText(), u"1 of 2"_s);
}

void TestDetailWidgets::jsonViewSearchBigValue()
{
    QJsonArray array;
    for (int i = 0; i < 100000; ++i)
        array.append(QJsonObject { { u"i"_s, i }, { u"text"_s, u"item %1"_s.arg(i) } });
    array[54321] = QJsonObject { { u"text"_s, u"the needle"_s } };
    JsonView view;
    view.setValue(array, u"output"_s);
    QCOMPARE(view.model()->builtNodeCount(), 100);
    view.setSearchText(u"needle"_s);
    QCOMPARE(view.hitText(), u"1 of 1"_s);
    const QModelIndex current = view.treeView()->currentIndex();
    QCOMPARE(current.data(JsonTreeModel::PathRole).toString(), u"output.54321.text"_s);
    QVERIFY(view.treeView()->isExpanded(current.parent()));
    QVERIFY(view.treeView()->isExpanded(current.parent().parent()));
    view.setSearchText(u"item"_s); // capped, and says so
    QCOMPARE(view.hitText(), u"1 of %1+"_s.arg(JsonView::kMaxHits));
    view.setSearchText(u"needle"_s);
    saveShot(view, u"jsonview_big"_s);
}

void TestDetailWidgets::jsonViewCopy()
{
    JsonView view;
    view.setValue(searchFixture(), u"inputs"_s);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.setSearchText(u"Weather"_s);
    view.treeView()->setFocus();
    QTest::keyClick(view.treeView(), Qt::Key_C, Qt::ControlModifier);
    QCOMPARE(QApplication::clipboard()->text(), u"Weather in Paris?"_s);
    QTest::keyClick(view.treeView(), Qt::Key_C, Qt::ControlModifier | Qt::ShiftModifier);
    QCOMPARE(QApplication::clipboard()->text(), u"inputs.messages.0.content"_s);
    // A container copies as JSON.
    view.treeView()->setCurrentIndex(rowByKey(view.model(), {}, u"config"_s));
    view.copyValue();
    QCOMPARE(QJsonDocument::fromJson(QApplication::clipboard()->text().toUtf8()).object(),
        searchFixture().value("config"_L1).toObject());
    // copy value, copy path, full value, open ref, separator, collapse
    QCOMPARE(view.treeView()->actions().size(), 6);
}

void TestDetailWidgets::fullValueDialog()
{
    QString text;
    for (int i = 0; text.size() < 3000; ++i)
        text += u"Line %1: the quick brown fox jumps over the lazy dog.\n"_s.arg(i);
    JsonView view;
    view.setValue(QJsonObject { { u"long"_s, text }, { u"short"_s, u"x"_s } }, u"output"_s);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.treeView()->setCurrentIndex(rowByKey(view.model(), {}, u"long"_s));
    saveShot(view, u"jsonview_long_string"_s, QSize(700, 200));
    QTest::keyClick(view.treeView(), Qt::Key_Space);
    auto* dialog = view.findChild<FullValueDialog*>();
    QVERIFY(dialog);
    QCOMPARE(dialog->windowTitle(), u"output.long"_s);
    QCOMPARE(dialog->shownText(), text);
    QVERIFY(!dialog->isShowingMarkdown());
    QCOMPARE(dialog->infoText(), u"%1 characters"_s.arg(text.size()));
    saveShot(*dialog, u"fullvalue_plain"_s, QSize(640, 400));
    dialog->close();
    QTRY_VERIFY(!view.findChild<FullValueDialog*>());
}

void TestDetailWidgets::fullValueDialogMarkdown()
{
    const QJsonObject markdown = parseObject(R"({"_type": "CustomWeaveType",
        "weave_type": {"type": "rich.markdown.Markdown"},
        "val": {"markup": "# Report\n\nAll **green**.\n\n- one\n- two\n\n```\ncode block\n```"}})");
    JsonView view;
    view.setValue(QJsonObject { { u"report"_s, markdown } }, u"output"_s);
    const QModelIndex row = rowByKey(view.model(), {}, u"report"_s);
    QCOMPARE(row.siblingAtColumn(JsonTreeModel::TypeColumn).data().toString(), u"Markdown"_s);
    view.treeView()->setCurrentIndex(row);
    view.showFullValue();
    auto* dialog = view.findChild<FullValueDialog*>();
    QVERIFY(dialog);
    QVERIFY(dialog->isShowingMarkdown());
    QVERIFY(!dialog->shownText().contains(u"**"_s));
    QVERIFY(dialog->shownText().contains(u"green"_s));
    saveShot(*dialog, u"fullvalue_markdown"_s, QSize(640, 400));
    delete dialog;
}

void TestDetailWidgets::fullValueDialogHuge()
{
    const QString huge = QString(10 * 1024 * 1024, u'y');
    FullValueDialog dialog(u"output.blob"_s, huge, false);
    QVERIFY(dialog.infoText().startsWith(u"Showing the first 1000000 of 10485760 characters"_s));
    QCOMPARE(dialog.shownText().size(), FullValueDialog::kMaxShownChars);
    QVERIFY(!dialog.isShowingMarkdown());
    saveShot(dialog, u"fullvalue_huge"_s, QSize(640, 300));
}

void TestDetailWidgets::chatView_data()
{
    QTest::addColumn<QByteArray>("call");
    QTest::addColumn<int>("messages");
    QTest::addColumn<QStringList>("snippets");
    QTest::addRow("openai_tools") << QByteArray(kOpenAiTools) << 6
                                  << QStringList { u"System prompt"_s, u"Tool call: get_weather"_s,
                                         u"\"city\": \"Paris\""_s,
                                         u"Tool result · get_weather · call_abc123"_s,
                                         u"Assistant · output"_s, u"22 C and sunny"_s };
    QTest::addRow("anthropic") << QByteArray(kAnthropic) << 5
                               << QStringList { u"System prompt"_s, u"Be direct"_s, u"Tool call: run_tests"_s,
                                      u"\"verbose\": true"_s,
                                      u"Tool result · run_tests · toolu_01A · error"_s, u"Findings"_s,
                                      u"INT_MAX"_s };
    QTest::addRow("content_parts") << QByteArray(kContentParts) << 3
                                   << QStringList { u"Developer"_s, u"[image: image/png,"_s,
                                          u"[image: https://example.com/cat.jpg]"_s, u"A single pixel"_s };
    QTest::addRow("responses") << QByteArray(kResponses) << 6
                               << QStringList { u"System prompt"_s, u"Tool call: get_weather"_s,
                                      u"Tool result · get_weather · fc_1"_s, u"The tool says rain."_s,
                                      u"Assistant · output"_s, u"7 °C"_s };
    QTest::addRow("gemini") << QByteArray(kGemini) << 3
                            << QStringList { u"System prompt"_s, u"Be brief."_s, u"Name a prime."_s,
                                   u"Model · output"_s };
}

void TestDetailWidgets::chatView()
{
    QFETCH(QByteArray, call);
    QFETCH(int, messages);
    QFETCH(QStringList, snippets);
    const auto transcript = models::chatFromCall(callFrom(call));
    QVERIFY(transcript);
    ChatView view;
    view.setTranscript(*transcript);
    QCOMPARE(view.messageCount(), messages);
    const QString text = view.browser()->toPlainText();
    for (const QString& snippet : std::as_const(snippets))
        QVERIFY2(text.contains(snippet), qPrintable(snippet + u" not in:\n"_s + text));
    saveShot(view, u"chatview_"_s + QString::fromLatin1(QTest::currentDataTag()), QSize(640, 900));
}

void TestDetailWidgets::chatViewMarkdown()
{
    models::ChatTranscript transcript;
    transcript.messages.append({ u"assistant"_s, u"# Title\n\n**bold** and `code`\n\n- item"_s, {}, {}, {} });
    ChatView view;
    view.setTranscript(transcript);
    const QString text = view.browser()->toPlainText();
    QVERIFY2(!text.contains(u"**"_s) && !text.contains(u"# Title"_s), qPrintable(text));
    bool heading = false, bold = false;
    for (QTextBlock block = view.browser()->document()->begin(); block.isValid(); block = block.next()) {
        // The heading's block format merges into the box's block; its larger bold text stays.
        const QTextCharFormat first =
            block.begin().atEnd() ? QTextCharFormat() : block.begin().fragment().charFormat();
        heading = heading
            || (block.text() == u"Title"_s && first.intProperty(QTextFormat::FontSizeAdjustment) > 0
                && first.fontWeight() >= QFont::Bold);
        for (auto it = block.begin(); !it.atEnd(); ++it)
            bold = bold
                || (it.fragment().text() == u"bold"_s
                    && it.fragment().charFormat().fontWeight() >= QFont::Bold);
    }
    QVERIFY(heading);
    QVERIFY(bold);

    // Tags in a prompt are its text, not HTML: shown as written, nothing dropped.
    models::ChatTranscript tagged;
    tagged.messages.append({ u"user"_s,
        u"<instructions>\nBe brief.\n</instructions>\n\nWhat does <T> mean in <b>this</b>? "
        "<script>alert(1)</script>"_s,
        {}, {}, {} });
    view.setTranscript(tagged);
    const QString taggedText = view.browser()->toPlainText();
    for (const QString& kept : { u"<instructions>"_s, u"Be brief."_s, u"</instructions>"_s, u"<T>"_s,
             u"<b>this</b>"_s, u"<script>alert(1)</script>"_s })
        QVERIFY2(taggedText.contains(kept), qPrintable(kept + u" not in:\n"_s + taggedText));
    view.clear();
    QCOMPARE(view.messageCount(), 0);
    QVERIFY(view.browser()->document()->isEmpty());
}

void TestDetailWidgets::chatViewLongMessage()
{
    models::ChatTranscript transcript;
    transcript.messages.append({ u"user"_s, QString(10 * 1024 * 1024, u'z'), {}, {}, {} });
    transcript.messages.append({ u"assistant"_s, u"short"_s, {}, {}, {} });
    ChatView view;
    view.setTranscript(transcript);
    const QString text = view.browser()->toPlainText();
    QVERIFY(
        text.contains(u"%1 more characters not shown"_s.arg(10 * 1024 * 1024 - ChatView::kMaxRenderedChars)));
    QVERIFY(text.size() < ChatView::kMaxRenderedChars + 1000);
    QVERIFY(text.contains(u"short"_s));
    saveShot(view, u"chatview_long"_s, QSize(640, 300));

    // A tool call's arguments are cut the same way (a 10 MB base64 argument).
    models::ChatTranscript calling;
    models::ChatMessage assistant { u"assistant"_s, {}, {}, {}, {} };
    assistant.toolCalls.append({ u"call_1"_s, u"upload"_s, QString(10 * 1024 * 1024, u'A') });
    calling.messages.append(assistant);
    view.setTranscript(calling);
    const QString called = view.browser()->toPlainText();
    QVERIFY(called.contains(u"more characters not shown"_s));
    QVERIFY(called.size() < ChatView::kMaxRenderedChars + 1000);
}

void TestDetailWidgets::chatViewNeverReadsFiles()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString file = dir.filePath(u"real.png"_s);
    QImage real(5, 5, QImage::Format_RGB32);
    real.fill(Qt::red);
    QVERIFY(real.save(file));
    const QUrl url = QUrl::fromLocalFile(file);
    models::ChatTranscript transcript;
    transcript.messages.append({ u"user"_s, u"![img]("_s + url.toString() + u")"_s, {}, {}, {} });
    ChatView view;
    view.setTranscript(transcript);
    const QVariant loaded = view.browser()->document()->resource(QTextDocument::ImageResource, url);
    QCOMPARE(loaded.value<QImage>().size(), QSize(48, 32)); // the placeholder, not the file
    QCOMPARE(view.browser()->loadResource(QTextDocument::HtmlResource, url).toByteArray(), QByteArray());
}

QTEST_MAIN(TestDetailWidgets)
#include "tst_detailwidgets.moc"
