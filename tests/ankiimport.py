"""Import .apkg files into a fresh collection with the official Anki backend, as the desktop app does."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest
from anki.import_export_pb2 import ImportAnkiPackageUpdateCondition

IF_NEWER = ImportAnkiPackageUpdateCondition.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_IF_NEWER


def desktop_options() -> ImportAnkiPackageOptions:
    """The import dialog's defaults: update notes and note types if newer, no scheduling, no merging."""
    return ImportAnkiPackageOptions(update_notes=IF_NEWER, update_notetypes=IF_NEWER, with_scheduling=False,
                                    merge_notetypes=False, with_deck_configs=False)


@dataclass(frozen=True)
class ImportLog:
    new: int
    updated: int
    duplicate: int
    conflicting: int
    updated_guids: tuple[str, ...]
    new_guids: tuple[str, ...]


def open_collection(folder: Path) -> Collection:
    folder.mkdir(parents=True, exist_ok=True)
    return Collection(str(folder / "collection.anki2"))


def import_package(col: Collection, package: Path) -> ImportLog:
    response = col.import_anki_package(
        ImportAnkiPackageRequest(package_path=str(Path(package).resolve()), options=desktop_options()))
    col.models._clear_cache()  # the Python side caches note types that the import may just have replaced
    log = response.log

    def guids(entries) -> tuple[str, ...]:  # noqa: ANN001
        return tuple(sorted(col.get_note(e.id.nid).guid for e in entries))

    return ImportLog(len(log.new), len(log.updated), len(log.duplicate), len(log.conflicting),
                     guids(log.updated), guids(log.new))


def notes_by_guid(col: Collection) -> dict[str, dict]:
    """Every note as guid -> {id, mod, fields, tags, notetype, card ids}."""
    out = {}
    for nid in col.find_notes(""):
        note = col.get_note(nid)
        out[note.guid] = {
            "id": note.id, "mod": note.mod, "fields": dict(note.items()), "tags": list(note.tags),
            "notetype": note.note_type()["name"], "cards": [c.id for c in note.cards()],
        }
    return out


def note_type_names(col: Collection) -> list[str]:
    return sorted(nt.name for nt in col.models.all_names_and_ids())
