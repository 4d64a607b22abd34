"""Token ids for (system, prompt, response): the chat template, truncating only the response.

A sequence is prefix + response + suffix. For a causal LM the prefix is the chat
template up to the assistant turn (with the row's system prompt) and the suffix
closes the turn; for an encoder it is `[CLS] system+prompt [SEP]` and `[SEP]`.
The reward is read at the last token, so the suffix is never cut: when too long
the response loses its tail, and only a prompt that leaves the response fewer
than `min_response_tokens` is cut too (from the left, keeping the first token).
"""
from __future__ import annotations

import dataclasses

# Used when a tokenizer has none, and saved with the model so HF users can apply it.
FALLBACK_CHAT_TEMPLATE = (
    "{% for message in messages %}<|{{ message['role'] }}|>\n{{ message['content'] }}{{ eos_token }}\n{% endfor %}"
    "{% if add_generation_prompt %}<|assistant|>\n{% endif %}"
)
PAD_TOKEN = "<|pad|>"


@dataclasses.dataclass
class Encoded:
    input_ids: list[int]
    token_type_ids: list[int]
    response_start: int  # first response token; LM targets run from here to the end
    truncated: bool


def ensure_chat_tokenizer(tokenizer, causal: bool) -> bool:
    """Give the tokenizer a pad token distinct from EOS (and a chat template for causal
    LMs). Returns True when a token was added, so embeddings must be resized."""
    added = False
    if tokenizer.pad_token is None or (causal and tokenizer.pad_token_id == tokenizer.eos_token_id):
        added = tokenizer.add_special_tokens({"pad_token": PAD_TOKEN}) > 0
    if causal and not getattr(tokenizer, "chat_template", None):
        tokenizer.chat_template = FALLBACK_CHAT_TEMPLATE
    tokenizer.padding_side = "right"
    return added


def _ids(tokenizer, text: str, content: bool = False) -> list[int]:
    # Content is split on special-token strings so a literal "<|pad|>" in code stays text.
    return tokenizer(text, add_special_tokens=False, split_special_tokens=content)["input_ids"] if text else []


def _causal_parts(tokenizer, system: str, prompt: str, response: str) -> tuple[list[int], list[int], list[int]]:
    messages = ([{"role": "system", "content": system}] if system else []) + [{"role": "user", "content": prompt}]
    head = tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
    full = tokenizer.apply_chat_template(messages + [{"role": "assistant", "content": response}], tokenize=False)
    if not full.startswith(head):  # templates that rewrite earlier turns: treat the turn opener as prefix
        head = full[: full.find(response)] if response in full else head
    rest = full[len(head):]
    at = rest.find(response)
    if at < 0:
        raise ValueError("the chat template changes the response text; pass a tokenizer whose template keeps it")
    # Anything the template puts before the response (an empty think block) belongs to the prefix.
    prefix = _ids(tokenizer, head + rest[:at])
    suffix = _ids(tokenizer, rest[at + len(response):].rstrip())
    return prefix, _ids(tokenizer, response, content=True), suffix


def _encoder_parts(tokenizer, system: str, prompt: str, response: str) -> tuple[list[int], list[int], list[int]]:
    text = f"{system}\n\n{prompt}" if system else prompt
    cls = [tokenizer.cls_token_id] if tokenizer.cls_token_id is not None else []
    sep = [tokenizer.sep_token_id] if tokenizer.sep_token_id is not None else []
    return cls + _ids(tokenizer, text, content=True) + sep, _ids(tokenizer, response, content=True), sep


def encode(tokenizer, system: str, prompt: str, response: str, max_length: int, causal: bool,
           min_response_tokens: int = 64) -> Encoded:
    parts = _causal_parts if causal else _encoder_parts
    prefix, body, suffix = parts(tokenizer, system, prompt, response)
    room = max_length - len(suffix)
    truncated = len(prefix) + len(body) > room
    if truncated:
        keep_response = min(len(body), max(room - len(prefix), min(min_response_tokens, room - 2)))
        keep_prefix = room - keep_response
        if keep_prefix < len(prefix):
            prefix = prefix[:1] + prefix[len(prefix) - keep_prefix + 1:]
        body = body[:keep_response]
    ids = prefix + body + suffix
    types = [0] * len(prefix) + [1] * (len(body) + len(suffix))
    return Encoded(input_ids=ids, token_type_ids=types, response_start=len(prefix), truncated=truncated)
