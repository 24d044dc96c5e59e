"""The data model; importing this package registers every table on the metadata."""

from publisher.models.article import Article, ArticleEpisode, ArticleRelated
from publisher.models.autosave import ArticleAutosave
from publisher.models.base import UTCDateTime, utcnow
from publisher.models.download import Download
from publisher.models.episode import EPISODE_TYPES, Episode
from publisher.models.membership import ShowMember, can_edit_show, editable_shows_filter
from publisher.models.publication import (
    DRAFT,
    PUBLISHED,
    SCHEDULED,
    STATUSES,
    effective_status,
    is_public,
    public_filter,
    scheduled_filter,
)
from publisher.models.setting import SiteSetting, get_setting
from publisher.models.show import SHOW_TYPES, Show, podcast_guid_for
from publisher.models.tag import Tag, article_tags, episode_tags
from publisher.models.user import ROLES, ApiToken, User, hash_token

__all__ = [
    "DRAFT",
    "EPISODE_TYPES",
    "PUBLISHED",
    "ROLES",
    "SCHEDULED",
    "SHOW_TYPES",
    "STATUSES",
    "ApiToken",
    "Article",
    "ArticleAutosave",
    "ArticleEpisode",
    "ArticleRelated",
    "Download",
    "Episode",
    "Show",
    "ShowMember",
    "SiteSetting",
    "Tag",
    "UTCDateTime",
    "User",
    "article_tags",
    "can_edit_show",
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
