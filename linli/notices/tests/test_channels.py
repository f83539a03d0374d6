"""Notifications: in-app rows always, external channels after commit. The SMS gateway and
the WeCom robot are a local HTTP server started by the test, never the internet."""

import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core.management import call_command

from linli.appeals import rating, services
from linli.appeals.tests.helpers import handling
from linli.notices import channels
from linli.notices.models import Notification
from linli.notices.services import mark_read, notify


class _Recorder(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 - the http.server name
        length = int(self.headers.get("Content-Length", 0))
        self.server.received.append(
            {
                "path": self.path,
                "auth": self.headers.get("Authorization"),
                "body": json.loads(self.rfile.read(length)),
            }
        )
        status = self.server.status
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(json.dumps({"errcode": 0 if status == 200 else 1}).encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def gateway(settings):
    server = HTTPServer(("127.0.0.1", 0), _Recorder)
    server.received = []
    server.status = 200
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    settings.LINLI_NOTIFY_CHANNELS = ["sms", "wecom"]
    settings.LINLI_SMS_URL = f"{base}/sms"
    settings.LINLI_SMS_TOKEN = "gateway-secret"
    settings.LINLI_WECOM_WEBHOOK_URL = f"{base}/wecom?key=robot"
    yield server
    server.shutdown()


@pytest.mark.django_db
def test_in_app_rows_skip_the_actor_and_repeats(world, settings):
    settings.LINLI_NOTIFY_CHANNELS = []
    rows = notify(
        users=[world.grid_worker_a, world.grid_worker_a, world.secretary],
        kind="test",
        title="hello",
        exclude=world.secretary,
    )
    assert [r.user for r in rows] == [world.grid_worker_a]
    assert mark_read(user=world.secretary) == 0
    assert mark_read(user=world.grid_worker_a) == 1
    assert Notification.objects.get().read_at is not None


def test_sms_goes_to_the_gateway_with_its_token(gateway):
    assert channels.send_text(channels.Text(phone="13800000001", text="您好")) == ["sms"]
    (call,) = gateway.received
    assert call["path"] == "/sms" and call["auth"] == "Bearer gateway-secret"
    assert call["body"] == {"phone": "13800000001", "text": "您好"}


def test_wecom_gets_supervision_alerts_only(gateway):
    alert = channels.StaffMessage("appeal.overdue", "毛文秀", "超期：楼道灯", "", "/appeals/x/")
    assert channels.send_staff(alert) == ["wecom"]
    assert channels.send_staff(channels.StaffMessage("appeal.assigned", "毛文秀", "新交办", "", "/")) == []
    (call,) = gateway.received
    assert call["path"] == "/wecom?key=robot"
    assert call["body"]["msgtype"] == "text" and "超期：楼道灯" in call["body"]["text"]["content"]


def test_a_failing_gateway_raises_so_the_task_retries(gateway):
    gateway.status = 500
    with pytest.raises(channels.DeliveryFailed):
        channels.send_text(channels.Text(phone="13800000001", text="x"))


def test_console_logs_masked_phones(settings, caplog):
    settings.LINLI_NOTIFY_CHANNELS = ["console"]
    with caplog.at_level(logging.INFO, logger="linli.notify"):
        channels.send_text(channels.Text(phone="13812345678", text="请评价"))
    assert "138****5678" in caplog.text and "13812345678" not in caplog.text


@pytest.mark.django_db(transaction=True)
def test_closing_texts_the_reporter_a_rating_link_after_commit(world, gateway, settings):
    settings.LINLI_PUBLIC_URL = "https://linli.example"
    appeal = handling(world)
    appeal = services.appeal_close(actor=world.grid_worker_a, appeal=appeal, result="已修复")
    assert gateway.received == []  # nothing is sent inside the request
    call_command("worker", "--batch", "--interval", "0")
    texts = [c for c in gateway.received if c["path"] == "/sms"]
    assert len(texts) == 1 and texts[0]["body"]["phone"] == "13890476521"
    assert f"https://linli.example{rating.rating_path(appeal)[:20]}" in texts[0]["body"]["text"]
