// The Playground's message editor keeps what it cannot edit: a message's role (tool, developer),
// its tool calls and tool_call_id, and the images of multi-part content. Pressing OK without a
// change leaves the message as it was; a changed text replaces only the text.
#include "ui/messagelisteditor.h"

#include <QApplication>
#include <QComboBox>
#include <QDialog>
#include <QJsonDocument>
#include <QListWidget>
#include <QTest>
#include <QTimer>

using namespace Qt::StringLiterals;
using spindle::ui::messageEditableText;
using spindle::ui::messageWithEdits;

namespace {
QJsonObject parse(const char* json)
{
    return QJsonDocument::fromJson(json).object();
}
} // namespace

class MessageListEditorTest : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void unchangedTextKeepsTheMessage_data();
    void unchangedTextKeepsTheMessage();
    void editedTextKeepsImagesAndToolFields();
    void okInTheDialogChangesNothing();
    void rowsNameWhatIsNotText();
};

void MessageListEditorTest::unchangedTextKeepsTheMessage_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addRow("tool result") << QByteArray(
        R"({"role":"tool","tool_call_id":"call_1","name":"get_weather","content":"22 C"})");
    QTest::addRow("assistant calling tools")
        << QByteArray(R"({"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function",)"
                      R"("function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]})");
    QTest::addRow("vision") << QByteArray(
        R"({"role":"user","content":[{"type":"text","text":"What is this?"},)"
        R"({"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA"}}]})");
    QTest::addRow("developer") << QByteArray(R"({"role":"developer","content":"Be brief."})");
}

void MessageListEditorTest::unchangedTextKeepsTheMessage()
{
    QFETCH(QByteArray, json);
    const QJsonObject message = QJsonDocument::fromJson(json).object();
    const QString role = message.value("role"_L1).toString();
    QCOMPARE(messageWithEdits(message, role, messageEditableText(message)), message);
}

void MessageListEditorTest::editedTextKeepsImagesAndToolFields()
{
    const QJsonObject vision =
        parse(R"({"role":"user","content":[{"type":"text","text":"What is"},{"type":"image_url",)"
              R"("image_url":{"url":"data:image/png;base64,AAAA"}},{"type":"text","text":" this?"}]})");
    QCOMPARE(messageEditableText(vision), u"What is this?"_s);
    const QJsonObject edited = messageWithEdits(vision, u"user"_s, u"Describe it."_s);
    QCOMPARE(edited,
        parse(R"({"role":"user","content":[{"type":"text","text":"Describe it."},{"type":"image_url",)"
              R"("image_url":{"url":"data:image/png;base64,AAAA"}}]})"));

    const QJsonObject tool = parse(R"({"role":"tool","tool_call_id":"call_1","content":"22 C"})");
    QCOMPARE(messageWithEdits(tool, u"tool"_s, u"23 C"_s),
        parse(R"({"role":"tool","tool_call_id":"call_1","content":"23 C"})"));

    const QJsonObject calling = parse(R"({"role":"assistant","content":null,"tool_calls":[{"id":"c"}]})");
    QCOMPARE(messageEditableText(calling), QString()); // the calls are not text to edit
    QCOMPARE(messageWithEdits(calling, u"assistant"_s, u"Let me check."_s),
        parse(R"({"role":"assistant","content":"Let me check.","tool_calls":[{"id":"c"}]})"));

    const QJsonObject imageOnly =
        parse(R"({"role":"user","content":[{"type":"image_url","image_url":{"url":"u"}}]})");
    QCOMPARE(messageWithEdits(imageOnly, u"user"_s, u"Caption"_s),
        parse(R"({"role":"user","content":[{"type":"text","text":"Caption"},)"
              R"({"type":"image_url","image_url":{"url":"u"}}]})"));
}

// Double-click a message the assistant sent with tool calls, or a tool message, and press OK: it is still a
// tool message, with all it had.
void MessageListEditorTest::okInTheDialogChangesNothing()
{
    const QJsonArray messages { parse(R"({"role":"user","content":"Weather in Paris?"})"),
        parse(R"({"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function",)"
              R"("function":{"name":"get_weather","arguments":"{}"}}]})"),
        parse(R"({"role":"tool","tool_call_id":"call_1","content":"22 C"})") };
    spindle::ui::MessageListEditor editor;
    editor.setMessages(messages);
    editor.resize(500, 400);
    editor.show();
    QVERIFY(QTest::qWaitForWindowExposed(&editor));
    auto* list = editor.findChild<QListWidget*>();
    QVERIFY(list);
    for (int row : { 1, 2 }) {
        QString roleShown;
        QTimer::singleShot(0, &editor, [&roleShown] {
            auto* dialog = qobject_cast<QDialog*>(QApplication::activeModalWidget());
            if (!dialog)
                return;
            roleShown = dialog->findChild<QComboBox*>()->currentText();
            dialog->accept();
        });
        const QRect rect = list->visualItemRect(list->item(row));
        QTest::mouseClick(list->viewport(), Qt::LeftButton, {}, rect.center());
        QTest::mouseDClick(list->viewport(), Qt::LeftButton, {}, rect.center());
        QCOMPARE(roleShown, messages.at(row).toObject().value("role"_L1).toString());
    }
    QCOMPARE(editor.messages(), messages);
}

// A row shows more than the editable text: the images and files a message carries, the tools an
// assistant turn calls, and which call a tool result answers.
void MessageListEditorTest::rowsNameWhatIsNotText()
{
    QCOMPARE(spindle::ui::messageRowText(
                 parse(R"({"role":"user","content":[{"type":"text","text":"Compare"},)"
                       R"({"type":"image_url","image_url":{"url":"u"}},)"
                       R"({"type":"file","file":{"filename":"q3.pdf","file_data":"d"}}]})")),
        u"Compare [image] [file q3.pdf]"_s);
    QCOMPARE(spindle::ui::messageRowText(
                 parse(R"({"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function",)"
                       R"("function":{"name":"lookup","arguments":"{\"q\":\"cat\"}"}}, {"id":"c2",)"
                       R"("type":"function","function":{"name":"time","arguments":"{}"}}]})")),
        uR"(→ lookup({"q":"cat"}) → time({}))"_s);
    QCOMPARE(spindle::ui::messageRowText(parse(R"({"role":"tool","tool_call_id":"c1","content":"3 hits"})")),
        u"(c1) 3 hits"_s);
    QCOMPARE(spindle::ui::messageRowText(parse(R"({"role":"user","content":"Hi"})")), u"Hi"_s);
}

QTEST_MAIN(MessageListEditorTest)
#include "tst_messagelisteditor.moc"
