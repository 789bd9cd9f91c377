"""The pages, one module per audience. Views are thin: they ask tracker.permissions,
call a service or a selector, and render; the rules live elsewhere."""
