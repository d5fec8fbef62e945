"""The Help button: what each ribbon button does, in the workbook's language."""
from __future__ import annotations

from dealerxl.excel.ribbon import button, load_buttons
from dealerxl.i18n import tr


def help_text(lang: str) -> str:
    lines = [tr("msg.help_intro", lang), ""]
    for b in load_buttons().values():
        lines.append(f"• {tr(f'ribbon.{b.id}', lang)}: {tr(f'ribbon.{b.id}.tip', lang)}")
    lines += ["", tr("msg.help_docs", lang)]
    return "\n".join(lines)


@button("help", group="workbook", image_mso="Help", order=900)
def show_help(book) -> str:
    # Imported on click, not at import: building the ribbon loads every action module and
    # must not depend on the reader.
    from dealerxl.book import workbook_language
    from dealerxl.excel.live import LiveBook

    lang = workbook_language(LiveBook(book))
    text = help_text(lang)
    book.app.alert(text, title=tr("msg.app_title", lang))
    return text
