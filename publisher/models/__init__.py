"""The data model; importing this package registers every table on the metadata."""

from publisher.models.article import Article, ArticleEpisode, ArticleRelated
from publisher.models.audio import (
    AlternateEnclosure,
    AnalysisStatus,
    AudioAnalysis,
    RenditionKind,
    derived_audio_keys,
)
from publisher.models.base import UTCDateTime, utcnow
from publisher.models.download import Download
from publisher.models.episode import Episode
from publisher.models.feed_rendering import FeedRendering
from publisher.models.publication import (
    effective_status,
    is_public,
    public_filter,
    scheduled_filter,
)
from publisher.models.show import Show, podcast_guid_for
from publisher.models.tag import Tag, article_tags, episode_tags
from publisher.models.transcript import EpisodeTranscript
from publisher.models.user import ApiToken, User, hash_token
from publisher.models.vocabulary import EpisodeType, Role, ShowStatus, ShowType, Status

__all__ = [
    "AlternateEnclosure",
    "AnalysisStatus",
    "ApiToken",
    "Article",
    "ArticleEpisode",
    "ArticleRelated",
    "AudioAnalysis",
    "Download",
    "Episode",
    "EpisodeTranscript",
    "EpisodeType",
    "FeedRendering",
    "RenditionKind",
    "Role",
    "Show",
    "ShowStatus",
    "ShowType",
    "Status",
    "Tag",
    "UTCDateTime",
    "User",
    "article_tags",
    "derived_audio_keys",
    "effective_status",
    "episode_tags",
    "hash_token",
    "is_public",
    "podcast_guid_for",
    "public_filter",
    "scheduled_filter",
    "utcnow",
]
