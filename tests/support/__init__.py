"""Helpers shared by several test modules (test modules never import each other).

- ``accounts``: the password that passes the validators, sign-in, password reset, invitation form data;
- ``campaigns``: the real plan's campaign date and the draft form as a browser posts it;
- ``documents``: small valid and invalid uploads;
- ``translations``: reading the .po catalogues;
- ``ciq``: a CIQ consultation with two orders and a person in each role, and Word files of articles.

The ``media`` fixture (documents under a temporary ``MEDIA_ROOT``) is in ``conftest.py``;
factories are in ``factories.py``.
"""
