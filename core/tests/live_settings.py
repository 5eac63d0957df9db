"""Settings of the server that live-server tests start: the project's, plus probe URLs."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "core.tests.live_urls"
