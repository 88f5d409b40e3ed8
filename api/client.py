"""A small typed Python client of the HTTP API (over httpx): the same request and response models as the server.

from api.client import ChatRecClient

with ChatRecClient("http://127.0.0.1:8000") as chat:
    session = chat.start_session()
    answer = chat.send(session.session_id, "i loved the godfather but no horror")
    for item in answer.recommendations:
        print(item.name, item.explanations[0].text if item.explanations else "")
"""

from __future__ import annotations

from types import TracebackType
from typing import Any, Literal, Self, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, TypeAdapter

from api.schemas import (
    BatchRecommendationsOut,
    ExplainResponse,
    FeedbackOut,
    ItemSearchOut,
    MessageOut,
    RecommendationList,
    RecordedOut,
    SessionDetail,
    SessionOut,
    SimilarItem,
)
from core.types import FeedbackSignal

Model = TypeVar("Model", bound=BaseModel)
_SIMILAR = TypeAdapter(list[SimilarItem])


class ChatRecHTTPError(Exception):
    """The server answered with an error: its status and its one-sentence `detail`."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(f"HTTP {status}: {detail}")
        self.status = status
        self.detail = detail


class ChatRecClient:
    """The API at `base_url` (or through a ready `httpx.Client`, e.g. FastAPI's TestClient); `api_key` is sent as
    `X-API-Key` when the server asks for one."""

    def __init__(
        self,
        base_url: str = "http://127.0.0.1:8000",
        api_key: str | None = None,
        timeout_s: float = 30.0,
        http: httpx.Client | None = None,
    ) -> None:
        headers = {"X-API-Key": api_key} if api_key else {}
        self._owned = http is None
        self.http = http or httpx.Client(base_url=base_url, timeout=timeout_s)
        self.http.headers.update(headers)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool (not one passed in)."""
        if self._owned:
            self.http.close()

    def ready(self) -> bool:
        """Whether the service is ready to answer (Neo4j reachable, warmed up, a model loaded)."""
        return self.http.get("/health/ready").status_code == 200

    def start_session(self, user_id: str | None = None) -> SessionOut:
        """A new session for a known user, or for a fresh anonymous one."""
        body = {"user_id": user_id} if user_id else {}
        return self._call("POST", "/v1/sessions", SessionOut, json=body)

    def send(
        self, session_id: str, text: str, k: int = 10, explain: bool = True, turn_id: str | None = None
    ) -> MessageOut:
        """The user's utterance, answered: reply, what was understood, recommendations."""
        body = {"text": text, "k": k, "explain": explain, "turn_id": turn_id}
        return self._call("POST", f"/v1/sessions/{_quote(session_id)}/messages", MessageOut, json=_compact(body))

    def record(
        self,
        session_id: str,
        text: str,
        role: Literal["user", "assistant"] = "assistant",
        turn_id: str | None = None,
    ) -> RecordedOut:
        """Record an utterance without an answer: the other speaker's (default), or the user's."""
        body = {"text": text, "role": role, "answer": False, "turn_id": turn_id}
        return self._call("POST", f"/v1/sessions/{_quote(session_id)}/messages", RecordedOut, json=_compact(body))

    def session(self, session_id: str, after_seq: int = 0, limit: int = 100) -> SessionDetail:
        """A page of the session's turns; `next_after_seq` of the answer pages on."""
        params = {"after_seq": after_seq, "limit": limit}
        return self._call("GET", f"/v1/sessions/{_quote(session_id)}", SessionDetail, params=params)

    def recommendations(
        self,
        user_id: str,
        k: int = 10,
        offset: int = 0,
        explain: bool = True,
        year_min: int | None = None,
        year_max: int | None = None,
        genres: list[str] | None = None,
        exclude_genres: list[str] | None = None,
    ) -> RecommendationList:
        """A page of the user's recommendations."""
        params = _compact(
            {
                "k": k,
                "offset": offset,
                "explain": explain,
                "year_min": year_min,
                "year_max": year_max,
                "genre": genres,
                "exclude_genre": exclude_genres,
            }
        )
        return self._call("GET", f"/v1/users/{_quote(user_id)}/recommendations", RecommendationList, params=params)

    def batch_recommendations(self, user_ids: list[str], k: int = 10, explain: bool = False) -> BatchRecommendationsOut:
        """Lists for many users in one call (unknown users listed apart)."""
        body = {"user_ids": user_ids, "k": k, "explain": explain}
        return self._call("POST", "/v1/recommendations/batch", BatchRecommendationsOut, json=body)

    def explain(self, user_id: str, item_id: str) -> ExplainResponse:
        """Why the item suits the user: real paths in the graph."""
        params = {"user_id": user_id, "item_id": item_id}
        return self._call("GET", "/v1/explain", ExplainResponse, params=params)

    def feedback(self, user_id: str, item_id: str, signal: FeedbackSignal | str) -> FeedbackOut:
        """Record that the user accepted or rejected a recommended item."""
        body = {"user_id": user_id, "item_id": item_id, "signal": str(signal)}
        return self._call("POST", "/v1/feedback", FeedbackOut, json=body)

    def search_items(self, query: str, limit: int = 10, offset: int = 0) -> ItemSearchOut:
        """Items by title, best match first."""
        return self._call("GET", "/v1/items", ItemSearchOut, params={"q": query, "limit": limit, "offset": offset})

    def item(self, item_id: str) -> dict[str, Any]:
        """The item's properties, genres and people."""
        return self._json("GET", f"/v1/items/{_quote(item_id)}")

    def similar(self, item_id: str, k: int = 10, offset: int = 0) -> list[SimilarItem]:
        """The items nearest to this one by embedding."""
        return _SIMILAR.validate_python(
            self._json("GET", f"/v1/items/{_quote(item_id)}/similar", params={"k": k, "offset": offset})
        )

    def _call(self, method: str, path: str, model: type[Model], **options: Any) -> Model:
        return model.model_validate(self._json(method, path, **options))

    def _json(self, method: str, path: str, **options: Any) -> Any:
        response = self.http.request(method, path, **options)
        if response.status_code >= 400:
            try:
                detail = str(response.json().get("detail", response.text))
            except ValueError:
                detail = response.text
            raise ChatRecHTTPError(response.status_code, detail)
        return response.json()


def _quote(part: str) -> str:
    """An id as one path segment, percent-encoded (a slash or a space in it included)."""
    return quote(part, safe=":")


def _compact(values: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}
