#include <QLabel>
#include <QString>

void show_peer(QLabel *label, const Peer &peer, const QString &name, int size) {
    // ruleid: cpp-qt-rich-text-unescaped
    label->setText(peer.client());
    // ok: cpp-qt-rich-text-unescaped
    label->setText(peer.client().toHtmlEscaped());
    // ruleid: cpp-qt-rich-text-unescaped
    label->setText(tr("Delete '%1'?").arg(name));
    // ok: cpp-qt-rich-text-unescaped
    label->setText(tr("Delete '%1'?").arg(name.toHtmlEscaped()));
    // ok: cpp-qt-rich-text-unescaped
    label->setText(tr("Delete %1 torrents?").arg(QString::number(size)));
}

QString skin_path(const QString &base, const QString &skin) {
    // ruleid: cpp-path-concat-unchecked-name
    return base + "/webskins/" + skin;
}

QString skin_path_checked(const QString &base, const QString &skin) {
    if (skin.contains("..") || skin.contains("/"))
        return QString();
    // ok: cpp-path-concat-unchecked-name
    return base + "/webskins/" + skin;
}

QString skin_path_replaced(const QString &base, const QString &name) {
    const QString skin = name.replace("/", "_");
    // ok: cpp-path-concat-unchecked-name
    return base + "/webskins/" + skin;
}

QString url_of(const QString &host) {
    // ok: cpp-path-concat-unchecked-name
    return QString("https://") + host;
}

void set_type(Stream &stream, int size) {
    Atom *atom = HvccAtom::Create(size, stream);
    // ruleid: cpp-factory-result-unchecked
    atom->SetType(1);
}

void set_type_checked(Stream &stream, int size) {
    Atom *atom = HvccAtom::Create(size, stream);
    if (atom) {
        // ok: cpp-factory-result-unchecked
        atom->SetType(1);
    }
}

int owner_of(const std::map<int, Image *> &images, int id) {
    auto it = images.find(id);
    // ruleid: cpp-find-result-not-compared-with-end
    return it->second->owner;
}

int owner_of_checked(const std::map<int, Image *> &images, int id) {
    auto it = images.find(id);
    if (it == images.end())
        return -1;
    // ok: cpp-find-result-not-compared-with-end
    return it->second->owner;
}
