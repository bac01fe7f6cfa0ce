"""What the audit pages need from the apps, without audit importing them.

An app registers, in its AppConfig.ready(), each object type whose events may be browsed (with a function
that fetches the object for a request, answering 404 to outsiders and 403 to insiders without the right)
and human labels for its verbs."""

from collections.abc import Callable

# fetch(request, pk) -> (object, name, url of the object's page)
ObjectFetcher = Callable[[object, int], tuple[object, str, str]]

_object_types: dict[str, ObjectFetcher] = {}
_verb_labels: dict[str, str] = {}


def register_object_type(object_type: str, fetch: ObjectFetcher) -> None:
    _object_types[object_type] = fetch


def register_verb_labels(labels: dict[str, str]) -> None:
    _verb_labels.update(labels)


def object_fetcher(object_type: str) -> ObjectFetcher | None:
    return _object_types.get(object_type)


def verb_label(verb: str) -> str:
    return _verb_labels.get(verb, verb)
