"""Keep each footnote on the page of its call: a workaround for WeasyPrint 70.

When a line does not fit at the bottom of a page, WeasyPrint moves ("reports") the
footnotes already on the page to the next page to make room for the line. Two paths
leave them there although the room was not used:

- reporting did not make the line fit, and the line went to the next page anyway;
- the line fitted, but the row or block holding it was then pushed whole to the next
  page (``break-inside: avoid`` on the recommendation rows).

Either way a footnote ends up one page after its call (an earlier layout of the seed
pack printed R03's footnote 5 under R11). The patch below gives such footnotes back to
their page whenever the page's content still fits with them. It wraps two private
functions of ``weasyprint.layout.block`` and is applied only to the WeasyPrint version
it was written for; on another version nothing is patched, and
tests/test_pack_footnotes.py says whether it is still needed.
"""

from __future__ import annotations

import weasyprint
from weasyprint.layout import block, column, table

PATCHED_VERSION = "70.0"
_MARK = "_tracker_reported_for_room"


def _give_back(context, footnotes, order) -> None:
    """Move ``footnotes`` from "next page" back to the current page, in document order."""
    back = [f for f in footnotes if f in context.reported_footnotes]
    if not back:
        return
    for footnote in back:
        context.reported_footnotes.remove(footnote)
    rank = {id(f): i for i, f in enumerate(order)}
    merged = context.current_page_footnotes + back
    context.current_page_footnotes[:] = sorted(merged, key=lambda f: rank.get(id(f), len(rank)))
    context._update_footnote_area()


def _report_again(context, footnotes) -> None:
    for footnote in footnotes:
        if footnote in context.current_page_footnotes:
            context.report_footnote(footnote)


def _linebox_layout(context, box, index, child, new_children, page_is_empty, absolute_boxes,
                    fixed_boxes, adjoining_margins, bottom_space, *args, **kwargs):
    before = list(context.current_page_footnotes)
    result = _original_linebox_layout(
        context, box, index, child, new_children, page_is_empty, absolute_boxes, fixed_boxes,
        adjoining_margins, bottom_space, *args, **kwargs)
    # All or nothing, in document order: the footnotes that were on the page and those of
    # the lines just laid out, wherever they were moved to the next page.
    order = before + [f for f in result[4] if f not in before]
    moved = [f for f in order if f in context.reported_footnotes]
    if not moved:
        return result
    position_y = result[3]
    _give_back(context, moved, order)
    bottom = position_y + box.padding_bottom + box.border_bottom_width
    if context.overflows_page(bottom_space, bottom):
        # The room was needed: they stay on the next page, unless the line that needed
        # it is itself taken off this page later (see _remove_placeholders).
        _report_again(context, moved)
        if new_children:
            setattr(new_children[-1], _MARK, (moved, order))
    return result


def _remove_placeholders(context, box_list, absolute_boxes, fixed_boxes):
    for box in box_list:
        marked = getattr(box, _MARK, None)
        if marked:
            _give_back(context, *marked)
            delattr(box, _MARK)
    return _original_remove_placeholders(context, box_list, absolute_boxes, fixed_boxes)


_original_linebox_layout = block._linebox_layout
_original_remove_placeholders = block.remove_placeholders


def apply() -> bool:
    """Patch WeasyPrint (once); False when its version is not the one this was written for."""
    if weasyprint.__version__ != PATCHED_VERSION:
        return False
    if block._linebox_layout is not _linebox_layout:
        block._linebox_layout = _linebox_layout
        block.remove_placeholders = _remove_placeholders
        table.remove_placeholders = _remove_placeholders
        column.remove_placeholders = _remove_placeholders
    return True
