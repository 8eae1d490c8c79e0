from django import template

register = template.Library()


@register.simple_tag
def form_rows(form) -> list[list]:
    """Return the form's fields in rows: a Dutch field and its English twin share a row."""
    rows = []
    fields = {field.name: field for field in form.visible_fields()}
    for name, field in fields.items():
        if name.endswith("_en") and f"{name[:-3]}_nl" in fields:
            continue
        twin = fields.get(f"{name[:-3]}_en") if name.endswith("_nl") else None
        rows.append([field, twin] if twin is not None else [field])
    return rows
