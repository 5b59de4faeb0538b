"""What Familiebro does not model of an imported record, kept as a patch.

The patch is the difference between the record as imported and the record Familiebro generates
from its own fields (make_patch); the output applies it to what Familiebro generates now
(apply_patch), so a record comes out as it went in, and once staff change a field their value
wins over the imported one.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from .ids import JSON

# A patch maps a key to one operation:
#   {"$set": v}                 the record had v where Familiebro generates nothing
#   {"$set": v, "$was": g}      the record had v where Familiebro generated g; kept while
#                               Familiebro still generates g (a later edit wins)
#   {"$absent": true, "$was": g}  the record lacked a key Familiebro generates as g
#   {"$patch": p, "$id": i}     a nested object, patched in turn while its id stays i
#   {"$items": [...]}           a list of objects with ids, item by item, in the record's order


def same_json(a: JSON, b: JSON) -> bool:
    """Equal as JSON text would be: 1, 1.0 and True are told apart; key order is not."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same_json(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same_json(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def _item_ids(value: JSON) -> list[str] | None:
    """The ids of a list of objects that each have a distinct string id; else None."""
    if not isinstance(value, list):
        return None
    ids = [item.get("id") if isinstance(item, dict) else None for item in value]
    if not all(isinstance(i, str) for i in ids) or len(set(ids)) != len(ids):
        return None
    return ids  # type: ignore[return-value]


def make_patch(
    original: Mapping[str, JSON], generated: Mapping[str, JSON], skip: Collection[str] = ()
) -> dict[str, JSON]:
    """What turns `generated` back into `original` (keys in `skip` aside)."""
    patch: dict[str, JSON] = {}
    for key, value in original.items():
        if key in skip:
            continue
        if key not in generated:
            patch[key] = {"$set": value}
            continue
        current = generated[key]
        if same_json(value, current):
            continue
        if isinstance(value, dict) and isinstance(current, dict):
            patch[key] = {"$patch": make_patch(value, current), "$id": current.get("id")}
        elif _item_ids(value) is not None and _item_ids(current) is not None:
            patch[key] = {"$items": _items_patch(value, current)}
        else:
            patch[key] = {"$set": value, "$was": current}
    for key, current in generated.items():
        if key not in skip and key not in original:
            patch[key] = {"$absent": True, "$was": current}
    return patch


def _items_patch(original: list[JSON], generated: list[JSON]) -> list[JSON]:
    by_id = {item["id"]: item for item in generated}
    entries: list[JSON] = []
    for item in original:
        match = by_id.pop(item["id"], None)
        if match is None:
            entries.append({"$item": item})
        else:
            entries.append({"$id": item["id"], "$patch": make_patch(item, match)})
    entries += [{"$omit": item_id, "$was": item} for item_id, item in by_id.items()]
    return entries


def apply_patch(generated: Mapping[str, JSON], patch: Mapping[str, JSON]) -> dict[str, JSON]:
    """`generated` with the patch applied: the record as imported, plus later edits."""
    result = dict(generated)
    for key, change in patch.items():
        if "$patch" in change:
            current = result.get(key)
            if isinstance(current, dict) and current.get("id") == change.get("$id"):
                result[key] = apply_patch(current, change["$patch"])
        elif "$items" in change:
            current = result.get(key, [])
            if _item_ids(current) is not None:
                items = _apply_items(current, change["$items"])
                if items or key in result:
                    result[key] = items
        elif "$was" in change:
            if key in result and same_json(result[key], change["$was"]):
                if "$set" in change:
                    result[key] = change["$set"]
                else:
                    del result[key]
        elif key not in result:
            result[key] = change["$set"]
    return result


def _apply_items(generated: list[JSON], entries: list[JSON]) -> list[JSON]:
    by_id = {item["id"]: item for item in generated}
    placed: set[str] = set()
    items: list[JSON] = []
    for entry in entries:
        if "$item" in entry:
            items.append(entry["$item"])
        elif "$id" in entry:
            item = by_id.get(entry["$id"])
            if item is not None and entry["$id"] not in placed:
                items.append(apply_patch(item, entry["$patch"]))
                placed.add(entry["$id"])
        else:
            item = by_id.get(entry["$omit"])
            if item is not None and same_json(item, entry["$was"]):
                placed.add(entry["$omit"])
    items += [item for item_id, item in by_id.items() if item_id not in placed]
    return items


def project(record: Mapping[str, JSON], fields: Sequence[str]) -> dict[str, JSON]:
    return {key: record[key] for key in fields if key in record}
