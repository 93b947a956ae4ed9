"""Reading the pages in tests as a person would: elements, their attributes, their text."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import overload

VOID = frozenset({"input", "meta", "link", "br", "img", "hr", "source", "area", "base", "col"})


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    text_parts: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return re.sub(r"\s+", " ", "".join(self.text_parts)).strip()

    def __getitem__(self, name: str) -> str:
        return self.attrs[name]

    @overload
    def get(self, name: str) -> str | None: ...
    @overload
    def get(self, name: str, default: str) -> str: ...
    def get(self, name: str, default: str | None = None) -> str | None:
        return self.attrs.get(name, default)


class Page(HTMLParser):
    """Every element of an HTML page with its attributes and its text (children included)."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self._open: list[Element] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v if v is not None else "" for k, v in attrs})
        self.elements.append(element)
        if tag not in VOID:
            self._open.append(element)

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index].tag == tag:
                del self._open[index:]
                return

    def handle_data(self, data: str) -> None:
        for element in self._open:
            element.text_parts.append(data)

    def find_all(self, tag: str | None = None, **attrs: str) -> list[Element]:
        return [
            e
            for e in self.elements
            if (tag is None or e.tag == tag)
            and all(e.attrs.get(k.rstrip("_").replace("_", "-")) == v for k, v in attrs.items())
        ]

    def find(self, tag: str | None = None, **attrs: str) -> Element:
        found = self.find_all(tag, **attrs)
        assert found, f"no <{tag or '*'}> with {attrs} on the page"
        return found[0]

    def by_id(self, element_id: str) -> Element:
        return self.find(id=element_id)

    def field(self, name: str) -> Element:
        """The input, select or textarea named ``name``."""
        for element in self.elements:
            if element.tag in {"input", "select", "textarea"} and element.attrs.get("name") == name:
                return element
        raise AssertionError(f"no field named {name!r} on the page")

    def selected(self, name: str) -> str:
        select = self.field(name)
        index = self.elements.index(select)
        for element in self.elements[index + 1 :]:
            if element.tag == "option" and "selected" in element.attrs:
                return element.attrs.get("value", "")
            if element.tag == "select":
                break
        return ""

    @property
    def text(self) -> str:
        return self.find("body").text if self.find_all("body") else ""
