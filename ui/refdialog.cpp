#include "ui/refdialog.h"

#include "core/weaveref.h"
#include "net/traceclient.h"
#include "widgets/jsonview.h"

#include <QApplication>
#include <QClipboard>
#include <QDialogButtonBox>
#include <QJsonArray>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace spindle::ui {

RefDialog::RefDialog(net::TraceClient* client, const QString& ref, QWidget* parent)
    : QDialog(parent)
    , m_client(client)
    , m_view(new widgets::JsonView(this))
    , m_status(new QLabel(tr("Reading %1…").arg(ref), this))
{
    setObjectName(QStringLiteral("refDialog"));
    setWindowTitle(ref);
    setAttribute(Qt::WA_DeleteOnClose);
    resize(640, 480);
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_view->setEmptyText(tr("Loading…"));
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    QPushButton* copy = buttons->addButton(tr("Copy ref"), QDialogButtonBox::ActionRole);
    // Return belongs to the tree (it opens the ref of the current row), not to a default button.
    for (QAbstractButton* button : buttons->buttons())
        if (auto* push = qobject_cast<QPushButton*>(button))
            push->setAutoDefault(false);
    connect(copy, &QPushButton::clicked, this, [ref] { QApplication::clipboard()->setText(ref); });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_status);
    layout->addWidget(m_view, 1);
    layout->addWidget(buttons);
    connect(m_view, &widgets::JsonView::refActivated, this, [this](const QString& inner) {
        QString error;
        if (RefDialog* dialog = openObjectRef(m_client, inner, this, &error))
            connect(dialog, &RefDialog::callRefActivated, this, &RefDialog::callRefActivated);
        else if (error.isEmpty())
            Q_EMIT callRefActivated(inner);
        else
            m_status->setText(error);
    });
    m_client->post(
        this, QStringLiteral("/refs/read_batch"),
        QJsonObject { { QStringLiteral("refs"), QJsonArray { ref } } },
        [this, ref](const QJsonObject& json) {
            const QJsonValue value = json.value(QLatin1String("vals")).toArray().at(0);
            m_loaded = true;
            m_view->setEmptyText(tr("Nothing: the server has no value for this ref (deleted?)."));
            m_view->setValue(value, QString());
            m_status->setText(value.isNull() ? tr("%1 names nothing the server holds.").arg(ref) : ref);
        },
        [this](const net::ApiError& error) {
            m_view->setEmptyText(tr("Could not read the ref."));
            m_status->setText(tr("Could not read the ref: %1").arg(error.brief()));
        });
}

QString RefDialog::statusText() const
{
    return m_status->text();
}

RefDialog* openObjectRef(net::TraceClient* client, const QString& ref, QWidget* parent, QString* error)
{
    error->clear();
    const auto parsed = parseWeaveRef(ref.toStdString());
    if (!parsed) {
        *error = QObject::tr("%1 is not a weave:/// ref").arg(ref);
        return nullptr;
    }
    if (parsed->kind == "call")
        return nullptr; // the caller opens calls
    if (parsed->kind != "object" && parsed->kind != "op") {
        *error =
            QObject::tr("%1 refs are not shown here (%2)").arg(QString::fromStdString(parsed->kind), ref);
        return nullptr;
    }
    auto* dialog = new RefDialog(client, ref, parent);
    dialog->show();
    return dialog;
}

} // namespace spindle::ui
