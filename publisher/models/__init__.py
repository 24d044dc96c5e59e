"""The data model; importing this package registers every table on the metadata."""

from publisher.models.article import Article, ArticleEpisode, ArticleRelated
from publisher.models.audio import (
    AlternateEnclosure,
    AnalysisStatus,
    AudioAnalysis,
    RenditionKind,
    derived_audio_keys,
)
from publisher.models.autosave import ArticleAutosave
from publisher.models.base import UTCDateTime, utcnow
from publisher.models.download import DailySalt, Download
from publisher.models.episode import Episode
from publisher.models.feed_rendering import FeedRendering
from publisher.models.job import Job, JobStatus
from publisher.models.membership import ShowMember, can_edit_show, editable_shows_filter
from publisher.models.publication import (
    effective_status,
    is_public,
    public_filter,
    scheduled_filter,
)
from publisher.models.rollup import DownloadDay, RolledUpDay, ShowDownloadDay
from publisher.models.setting import SiteSetting, get_setting
from publisher.models.show import Show, podcast_guid_for
from publisher.models.storage_write import StorageWrite
from publisher.models.tag import Tag, article_tags, episode_tags
from publisher.models.transcript import EpisodeTranscript
from publisher.models.user import ApiToken, User, hash_token
from publisher.models.vocabulary import EpisodeType, Role, ShowStatus, ShowType, Status

__all__ = [
    "AlternateEnclosure",
    "AnalysisStatus",
    "ApiToken",
    "Article",
    "ArticleAutosave",
    "ArticleEpisode",
    "ArticleRelated",
    "AudioAnalysis",
    "DailySalt",
    "Download",
    "DownloadDay",
    "Episode",
    "EpisodeTranscript",
    "EpisodeType",
    "FeedRendering",
    "Job",
    "JobStatus",
    "RenditionKind",
    "Role",
    "RolledUpDay",
    "Show",
    "ShowDownloadDay",
    "ShowMember",
    "ShowStatus",
    "ShowType",
    "SiteSetting",
    "Status",
    "StorageWrite",
    "Tag",
    "UTCDateTime",
    "User",
    "article_tags",
    "can_edit_show",
    "derived_audio_keys",
    "editable_shows_filter",
    "effective_status",
    "episode_tags",
    "get_setting",
    "hash_token",
    "is_public",
    "podcast_guid_for",
    "public_filter",
    "scheduled_filter",
    "utcnow",
]
