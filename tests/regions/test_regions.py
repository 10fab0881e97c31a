"""The region tree (docs/rules.md §4): seeded from cpca, updated by a CSV import that saves nothing
while any row is bad."""

from __future__ import annotations

import io

from sqlalchemy import select

from portal.domain.regions import RegionLevel
from portal.domain.roles import Role
from portal.extensions import db
from portal.regions.models import Region
from portal.regions.services import seed_regions

from ..builders import make_region, make_user


def upload(client, text: str, encoding: str = "utf-8"):
    return client.post(
        "/regions/import",
        data={"file": (io.BytesIO(text.encode(encoding)), "regions.csv")},
        content_type="multipart/form-data",
    )


def test_the_seed_builds_the_tree_of_provinces_cities_and_districts(app):
    result = seed_regions()
    assert result.created > 3000
    hangzhou = db.session.get(Region, "330100")
    assert (hangzhou.name, hangzhou.level, hangzhou.parent_code) == ("杭州市", RegionLevel.CITY, "330000")
    chaoyang = db.session.get(Region, "110105")
    assert chaoyang.parent_code == "110100"  # GB/T 2260: 北京市 → 市辖区 → 朝阳区
    assert db.session.get(Region, "110100").parent_code == "110000"
    assert seed_regions().created == 0  # running it again changes nothing


def test_an_import_adds_and_updates(login, count_rows):
    make_region("330000", "浙江省")
    client = login(make_user(role=Role.ADMIN))
    response = upload(client, "code,name,parent_code\n330100,杭州市,330000\n330000,浙江省(新),\n")
    assert response.status_code == 302
    assert db.session.get(Region, "330100").parent_code == "330000"
    assert db.session.get(Region, "330000").name == "浙江省(新)"


def test_an_import_without_a_file_shows_the_tree_again_with_the_message_and_changes_nothing(login, count_rows):
    make_region("330000", "浙江省")
    client = login(make_user(role=Role.ADMIN))

    response = client.post("/regions/import", data={}, content_type="multipart/form-data")

    assert response.status_code == 422  # the tree's page again, not a redirect
    page = response.get_data(as_text=True)
    assert 'class="form-control is-invalid" id="file"' in page
    assert "Choose a CSV file to import." in page
    assert "浙江省" in page
    assert count_rows(Region) == 1


def test_a_gbk_file_from_excel_is_read(login):
    client = login(make_user(role=Role.ADMIN))
    assert upload(client, "code,name\n440000,广东省\n", encoding="gbk").status_code == 302
    assert db.session.get(Region, "440000").name == "广东省"


def test_an_import_with_bad_rows_saves_nothing_and_lists_every_bad_row(login, count_rows):
    client = login(make_user(role=Role.ADMIN))
    response = upload(
        client,
        "code,name,parent_code\n330000,浙江省,\n33010,杭州,330000\n"
        "330000,重复,\n330200,,330000\n330300,温州市,990000\n",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    for line in ("<td>3</td>", "<td>4</td>", "<td>5</td>", "<td>6</td>"):
        assert line in page
    assert "<td>2</td>" not in page
    assert count_rows(Region) == 0


def test_a_file_without_the_columns_is_refused(login, count_rows):
    client = login(make_user(role=Role.ADMIN))
    assert upload(client, "a,b\n1,2\n").status_code == 422
    assert upload(client, "").status_code == 422
    assert count_rows(Region) == 0


def test_only_admins_import(login):
    assert upload(login(make_user(role=Role.SALES)), "code,name\n440000,广东省\n").status_code == 403


def test_head_office_browses_the_tree(login):
    make_region("330000", "浙江省")
    make_region("330100", "杭州市", "330000")
    client = login(make_user(role=Role.FINANCE))
    assert "浙江省" in client.get("/regions/").get_data(as_text=True)
    page = client.get("/regions/?parent=330000").get_data(as_text=True)
    assert "杭州市" in page
    assert "杭州市" in client.get("/regions/?q=杭州").get_data(as_text=True)
    assert db.session.scalar(select(Region).where(Region.code == "330100")).parent_code == "330000"


def test_a_file_with_control_characters_saves_nothing(login, count_rows):
    client = login(make_user(role=Role.ADMIN))
    response = upload(client, "code,name\n440000,广\x00东省\n")
    assert response.status_code == 422
    assert "<td>2</td>" in response.get_data(as_text=True)
    assert count_rows(Region) == 0
