"""Test settings for the streaming server tests: the site plus two test-only URLs."""

from config.settings.test import *  # noqa: F403

ROOT_URLCONF = "tests.deploy.streaming_urls"
