"""Model sampling and instruction synthesis: vLLM offline, or any OpenAI-compatible endpoint.

Two engines behind one interface (`complete(requests) -> texts per request`):
- `HTTPEngine`: `/v1/chat/completions` or `/v1/completions` of any OpenAI-compatible
  server (`vllm serve MODEL`, TGI, llama.cpp server, a hosted API), with a thread
  pool capped at `concurrency`, retries with exponential back-off on 429, 5xx and
  connection errors (honouring `Retry-After`), and per-request timeouts.
- `VLLMEngine`: the offline `vllm.LLM` engine in-process (`pip install vllm`), one
  batched `generate`/`chat` call per batch.

Both consult a response cache first (a `transforms.store.Store` SQLite file keyed by
the request's content: model, API, messages and sampling parameters), so a rerun or a
resumed build sends nothing it already has an answer for.

Beam transforms: `SampleCandidates` adds `n` model-written candidates (origin `llm`)
to each Task; `SynthesizeInstructions` replaces a mined commit's template prompt with
an instruction the model writes from the commit message and diff. A failed request
leaves the Task as it was and is recorded as an `llm_error` dead letter.
"""
from __future__ import annotations

import concurrent.futures
import dataclasses
import difflib
import os
import re
import time
from typing import ClassVar, Iterator, Sequence, Union

import apache_beam as beam
from apache_beam.metrics import Metrics

from schemas import CandidateSpec, DeadLetter, Task, content_id
from schemas.records import Record
from transforms.dead_letters import Routed, Step

STAGE = "sources.llm"


@dataclasses.dataclass(frozen=True)
class LLMConfig:
    model: str
    endpoint: str = ""  # base URL ending in /v1, e.g. http://127.0.0.1:8000/v1 (engine "http")
    engine: str = "http"  # "http" (OpenAI-compatible endpoint) or "vllm" (offline vllm.LLM)
    api: str = "chat"  # "chat" (/chat/completions) or "completions" (/completions)
    api_key_env: str = "OPENAI_API_KEY"  # environment variable holding the bearer token, if any
    headers: tuple[tuple[str, str], ...] = ()
    temperature: float = 0.8
    top_p: float = 0.95
    max_tokens: int = 1024
    seed: int = 0
    concurrency: int = 8
    max_retries: int = 5
    backoff_seconds: float = 1.0  # first retry delay; doubles per retry
    max_backoff_seconds: float = 60.0
    timeout_seconds: float = 120.0
    batch_size: int = 32  # tasks per engine call in the Beam transforms
    cache_path: str = ""  # SQLite response cache; "" = none

    def __post_init__(self):
        if self.engine not in ("http", "vllm"):
            raise ValueError(f"LLM engine {self.engine!r}: use 'http' (OpenAI-compatible endpoint) or 'vllm'")
        if self.api not in ("chat", "completions"):
            raise ValueError(f"LLM api {self.api!r}: use 'chat' or 'completions'")
        if self.engine == "http" and not self.endpoint:
            raise ValueError("the http engine needs an endpoint such as http://127.0.0.1:8000/v1 (`vllm serve MODEL`)")


@dataclasses.dataclass(frozen=True)
class Request:
    prompt: str
    system: str = ""
    n: int = 1
    seed: int = 0

    def key(self, config: LLMConfig) -> str:
        return content_id("llm", config.model, config.api, self.system, self.prompt, self.n, self.seed,
                          config.temperature, config.top_p, config.max_tokens)


@dataclasses.dataclass(frozen=True)
class CachedResponse(Record):
    """What the cache holds per request key."""

    RECORD_TYPE: ClassVar[str] = "llm_response"
    texts: list[str]


class LLMError(RuntimeError):
    """A request that failed after all retries; the message says why."""


class _CachedEngine:
    """Cache lookup around an engine's `_generate`."""

    def __init__(self, config: LLMConfig):
        self.config = config
        self._store = None
        if config.cache_path:
            from transforms.store import Store
            self._store = Store(config.cache_path)

    def complete(self, requests: Sequence[Request]) -> list[Union[list[str], LLMError]]:
        keys = [r.key(self.config) for r in requests]
        cached = self._store.get_many("llm", keys, CachedResponse) if self._store else {}
        missing = [i for i, k in enumerate(keys) if k not in cached]
        fresh = dict(zip(missing, self._generate([requests[i] for i in missing]))) if missing else {}
        if self._store:
            self._store.put_many("llm", [(keys[i], CachedResponse(texts=r)) for i, r in fresh.items()
                                         if not isinstance(r, LLMError)])
        return [cached[k].texts if k in cached else fresh[i] for i, k in enumerate(keys)]

    def _generate(self, requests: Sequence[Request]) -> list[Union[list[str], LLMError]]:
        raise NotImplementedError

    def close(self) -> None:
        """Release connections."""


def _messages(request: Request) -> list[dict]:
    system = [{"role": "system", "content": request.system}] if request.system else []
    return system + [{"role": "user", "content": request.prompt}]


class HTTPEngine(_CachedEngine):
    """An OpenAI-compatible endpoint, `concurrency` requests at a time, with retries."""

    _RETRY_STATUSES = {408, 409, 429, 500, 502, 503, 504}

    def __init__(self, config: LLMConfig):
        super().__init__(config)
        import httpx
        headers = dict(config.headers)
        token = os.environ.get(config.api_key_env, "")
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._httpx = httpx
        self._client = httpx.Client(base_url=config.endpoint.rstrip("/"), headers=headers,
                                    timeout=config.timeout_seconds,
                                    limits=httpx.Limits(max_connections=config.concurrency))

    def _body(self, request: Request) -> tuple[str, dict]:
        c = self.config
        body = {"model": c.model, "n": request.n, "temperature": c.temperature, "top_p": c.top_p,
                "max_tokens": c.max_tokens, "seed": request.seed}
        if c.api == "chat":
            return "/chat/completions", dict(body, messages=_messages(request))
        prompt = f"{request.system}\n\n{request.prompt}" if request.system else request.prompt
        return "/completions", dict(body, prompt=prompt)

    def _post(self, request: Request) -> Union[list[str], LLMError]:
        path, body = self._body(request)
        problem = ""
        for attempt in range(self.config.max_retries + 1):
            if attempt:
                Metrics.counter("themis", f"{STAGE}.retries").inc()
            try:
                response = self._client.post(path, json=body)
            except self._httpx.TransportError as exc:
                problem, wait = f"{type(exc).__name__}: {exc}", None
            else:
                if response.status_code == 200:
                    try:
                        choices = response.json()["choices"]
                        return [(c["message"]["content"] if "message" in c else c["text"]) or "" for c in choices]
                    except (ValueError, KeyError, TypeError) as exc:
                        return LLMError(f"{self.config.endpoint}{path} answered without OpenAI-style choices: {exc!r}")
                problem = f"HTTP {response.status_code}: {response.text[:300]}"
                if response.status_code not in self._RETRY_STATUSES:
                    break
                wait = response.headers.get("retry-after")
            if attempt < self.config.max_retries:
                backoff = min(self.config.max_backoff_seconds, self.config.backoff_seconds * 2 ** attempt)
                time.sleep(float(wait) if wait and wait.replace(".", "", 1).isdigit() else backoff)
        return LLMError(f"{self.config.endpoint}{path} failed after {attempt + 1} attempt(s): {problem}")

    def _generate(self, requests: Sequence[Request]) -> list[Union[list[str], LLMError]]:
        with concurrent.futures.ThreadPoolExecutor(max_workers=self.config.concurrency) as pool:
            return list(pool.map(self._post, requests))

    def close(self) -> None:
        self._client.close()


class VLLMEngine(_CachedEngine):
    """The offline vLLM engine, loaded once per worker."""

    def __init__(self, config: LLMConfig):
        super().__init__(config)
        try:
            import vllm
        except ImportError:
            raise LLMError("engine 'vllm' needs vLLM: `pip install vllm` on a CUDA machine, "
                           "or serve the model (`vllm serve MODEL`) and use engine 'http'") from None
        self._vllm = vllm
        self._llm = vllm.LLM(model=config.model, seed=config.seed)

    def _generate(self, requests: Sequence[Request]) -> list[Union[list[str], LLMError]]:
        c = self.config
        params = [self._vllm.SamplingParams(n=r.n, temperature=c.temperature, top_p=c.top_p,
                                            max_tokens=c.max_tokens, seed=r.seed) for r in requests]
        if c.api == "chat":
            outputs = self._llm.chat([_messages(r) for r in requests], params, use_tqdm=False)
        else:
            prompts = [f"{r.system}\n\n{r.prompt}" if r.system else r.prompt for r in requests]
            outputs = self._llm.generate(prompts, params, use_tqdm=False)
        return [[o.text for o in out.outputs] for out in outputs]


def open_engine(config: LLMConfig) -> _CachedEngine:
    return VLLMEngine(config) if config.engine == "vllm" else HTTPEngine(config)


_FENCE = re.compile(r"```[\w#+.-]*[ \t]*\n(.*?)```", re.S)


def extract_code(text: str) -> str:
    """The first fenced code block of a reply, or the whole reply when it has none."""
    match = _FENCE.search(text)
    return (match.group(1) if match else text).strip("\n")


# ---- what is asked ----------------------------------------------------------

SAMPLE_SYSTEM = ("You are an expert {language} programmer. Answer with one complete {language} solution "
                 "in a single fenced code block.")
SYNTHESIS_SYSTEM = ("You write instructions for programming tasks. Given a commit (message, file and diff), "
                    "write the instruction a developer would give to ask for exactly this change, as a "
                    "self-contained task. Do not mention the commit or the diff. Reply with the instruction only.")


class SamplePolicy:
    """Ask for `n` solutions per task; each becomes an `llm` candidate."""

    def __init__(self, config: LLMConfig, n: int):
        self.config, self.n = config, n

    def request(self, task: Task) -> Request:
        return Request(prompt=task.prompt, system=SAMPLE_SYSTEM.format(language=task.language), n=self.n,
                       seed=self.config.seed)

    def apply(self, task: Task, texts: list[str]) -> tuple[Task, int]:
        existing = {c.code for c in task.candidates}
        added = []
        for index, text in enumerate(texts):
            code = extract_code(text)
            if code.strip() and code not in existing:
                existing.add(code)
                added.append(CandidateSpec(code=code, origin="llm", metadata={
                    "model": self.config.model, "sample": str(index), "temperature": str(self.config.temperature)}))
        return task.replace(candidates=task.candidates + added), len(texts) - len(added)


class SynthesisPolicy:
    """Ask for an instruction that describes a mined commit's change."""

    def __init__(self, config: LLMConfig, max_diff_chars: int = 6000):
        self.config, self.max_diff_chars = config, max_diff_chars

    def request(self, task: Task) -> Request:
        old, new = task.candidates[0], task.candidates[-1]
        path = old.metadata.get("path", "file")
        diff = "".join(difflib.unified_diff(old.code.splitlines(True), new.code.splitlines(True), path, path))
        prompt = (f"Commit message:\n{old.metadata.get('message', '')}\n\nFile: {path} ({task.language})\n\n"
                  f"Diff:\n{diff[:self.max_diff_chars]}")
        return Request(prompt=prompt, system=SYNTHESIS_SYSTEM, seed=self.config.seed)

    def apply(self, task: Task, texts: list[str]) -> tuple[Task, int]:
        instruction = texts[0].strip() if texts else ""
        if not instruction:
            return task, 1
        return task.replace(prompt=instruction), 0


class _AskModel(Step):
    """Batches of Tasks -> Tasks changed by the policy; a failed request becomes a dead letter
    (its task goes on unchanged)."""

    stage = STAGE

    def __init__(self, config: LLMConfig, policy):
        self._config, self._policy = config, policy
        self._engine = None

    def setup(self):
        self._engine = open_engine(self._config)

    def decide(self, batch: list[Task]) -> Iterator:
        replies = self._engine.complete([self._policy.request(t) for t in batch])
        for task, reply in zip(batch, replies):
            if isinstance(reply, LLMError):
                yield DeadLetter.of(STAGE, "llm_error", {"task_id": task.task_id}, record_id=task.task_id,
                                    detail=str(reply))
                yield task
                continue
            changed, unusable = self._policy.apply(task, reply)
            Metrics.counter("themis", f"{STAGE}.unusable_reply").inc(unusable)
            yield changed

    def teardown(self):
        if self._engine is not None:
            self._engine.close()


def _ask(tasks, config: LLMConfig, policy) -> dict:
    return (tasks
            | "Batch" >> beam.BatchElements(min_batch_size=1, max_batch_size=config.batch_size)
            | "Ask" >> Routed(_AskModel(config, policy), "tasks"))


class SampleCandidates(beam.PTransform):
    """Tasks -> the same Tasks with up to `n` more candidates written by the model (origin `llm`)."""

    def __init__(self, config: LLMConfig, n: int = 4):
        super().__init__()
        self.config, self.n = config, n

    def expand(self, tasks):
        return _ask(tasks, self.config, SamplePolicy(self.config, self.n))


class SynthesizeInstructions(beam.PTransform):
    """Commit Tasks -> the same Tasks with a model-written instruction as prompt."""

    def __init__(self, config: LLMConfig):
        super().__init__()
        self.config = config

    def expand(self, tasks):
        return _ask(tasks, self.config, SynthesisPolicy(self.config))
