"""Pages without login: the rating link, the public board (晒事) and the practical-projects
list (为民办实事清单). Nothing here names a person, a phone number or an exact dwelling."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from linli.appeals import board, forms, rating, services
from linli.appeals.views import _photo_response
from linli.core.errors import Conflict, ValidationFailed


@require_http_methods(["GET", "POST"])
def rate(request, token):
    """The reporter's rating link: works once, for its own appeal, while it is closed."""
    appeal = rating.appeal_for_token(token)
    if appeal is None:
        return render(request, "appeals/public/rate_gone.html", status=410)
    form = forms.RateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.appeal_rate(
                appeal=appeal,
                rating=form.cleaned_data["rating"],
                comment=form.cleaned_data["comment"],
                close_count=appeal.close_count,
                request=request,
            )
        except Conflict:
            return render(request, "appeals/public/rate_gone.html", status=410)
        except ValidationFailed as exc:
            form.add_error(None, str(exc.message))
        else:
            return render(
                request,
                "appeals/public/rate_done.html",
                {"appeal": appeal, "rating": form.cleaned_data["rating"]},
            )
    response = render(request, "appeals/public/rate.html", {"appeal": appeal, "form": form})
    if request.method == "POST":
        response.status_code = 422
    return response


def _community(community_id):
    community = board.communities_public().filter(public_id=community_id).first()
    if community is None:
        raise Http404
    return community


@require_GET
def board_page(request, community_id):
    """晒事: the community's closed appeals, anonymised, for everyone."""
    community = _community(community_id)
    context = {"community": community, "items": board.board_items(community)}
    return render(request, "appeals/public/board.html", context)


@require_GET
def projects_page(request, community_id):
    """为民办实事清单: the community's practical projects and their progress."""
    community = _community(community_id)
    projects = list(board.projects_public(community))
    for project in projects:
        project.public_place = board.project_place(project)
    return render(request, "appeals/public/projects.html", {"community": community, "projects": projects})


@require_GET
def photo(request, photo_id):
    item = board.public_photo(photo_id)
    if item is None:
        raise Http404
    return _photo_response(item, private=False)
