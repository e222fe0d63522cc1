"""Reading responses as a person would see them."""
import html
import re


def page_text(response) -> str:
    """The visible text of an HTML response: tags dropped, entities decoded, spaces folded."""
    body = response.get_data(as_text=True)
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body))).strip()
