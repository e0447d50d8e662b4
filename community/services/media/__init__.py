"""Members' images: inline uploads, where each is used, the image library, and links that work without a
session (feed readers, e-mail).

``write`` holds the verbs (upload, record uses, delete; they own the transaction), ``read`` the library
page, ``links`` the signed image URLs of feeds and e-mails.
"""

from community.services.media.links import (
    feed_image_url,
    image_names,
    mail_image_url,
    mail_images,
    sign_feed_images,
    viewer_for_signed_link,
)
from community.services.media.read import Library, LibraryItem, UseLink, library_page
from community.services.media.write import (
    UPLOAD_REF_RE,
    delete_upload,
    record_post_uses,
    record_profile_uses,
    referenced_names,
    upload_inline_image,
)

__all__ = [
    "UPLOAD_REF_RE",
    "Library",
    "LibraryItem",
    "UseLink",
    "delete_upload",
    "feed_image_url",
    "image_names",
    "library_page",
    "mail_image_url",
    "mail_images",
    "record_post_uses",
    "record_profile_uses",
    "referenced_names",
    "sign_feed_images",
    "upload_inline_image",
    "viewer_for_signed_link",
]
