"""How an attachment is named to readers: its type and size in words (tracker.attachments)."""

from django import template

from tracker import attachments

register = template.Library()


@register.filter
def file_type(content_type: str) -> str:
    """"PDF", "Word document", "PNG image"."""
    return attachments.type_in_words(content_type)


@register.filter
def file_size(size: int) -> str:
    """"240 KB", "1.5 MB"."""
    return attachments.size_in_words(size or 0)
