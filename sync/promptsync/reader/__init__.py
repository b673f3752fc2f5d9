"""The runtime reader the chat service imports: `from promptsync import PromptReader, PromptType`.

    reader = PromptReader(db_url="postgresql+psycopg://...", redis_url="redis://...")
    prompt = reader.get("acme", PromptType.GREETING)   # .template .version .commit .brand .source
    text = reader.render("acme", PromptType.GREETING, {"user_name": "Dana"})
    p = reader.get("acme", "greeting", locale="de-CH")   # .brand and .locale: what answered
    text = await reader.arender("acme", "greeting", {...})   # from asyncio code
"""

from promptsync.model import PromptType
from promptsync.reader.reader import PromptReader
from promptsync.record import Prompt, Source

__all__ = ["Prompt", "PromptReader", "PromptType", "Source"]
