"""The set-up pages: how a council's scrutiny office sets itself up without a developer.

GOV.UK pages, one module per area (the council and its words, committees and schemes;
inquiries and recommendations; people). Every change goes through tracker.services.
"""
