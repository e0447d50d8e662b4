"""The yardstick: a minimal Flask app served with the same gunicorn settings as the community.

gunicorn -c community/gunicorn_conf.py bench.hello:app
"""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    """Hello."""
    return "Hello, World!"
