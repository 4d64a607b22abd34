"""bench/rule_flips.py on a real git history, scanned by the real semgrep and the project's rule pack."""
import os
import subprocess

from bench.rule_flips import Flip, changes, flips, units

RULES = os.path.join(os.path.dirname(__file__), "..", "transforms", "rules", "python.yaml")

VIEWS = '''from django.views.decorators.csrf import csrf_exempt


{decorator}def shelve(request, shelf_id):
    Shelf.objects.get(id=shelf_id).books.add(request.POST["book"])
    return redirect("/")


def about(request):
    return render(request, "about.html")
'''


def commit(repo, text, message):
    with open(os.path.join(repo, "views.py"), "w") as out:
        out.write(text)
    subprocess.run(["git", "-C", repo, "add", "."], check=True)
    subprocess.run(["git", "-C", repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", message], check=True)


def test_a_removed_exemption_is_one_fix_pair(tmp_path):
    repo = str(tmp_path / "owner+views")
    subprocess.run(["git", "init", "-q", repo], check=True)
    commit(repo, VIEWS.format(decorator="@csrf_exempt\n"), "add views")
    commit(repo, VIEWS.format(decorator=""), "Avoid exempting shelve from the CSRF check")
    found = changes(repo, "Python", "csrf_exempt", 400)
    assert [(c.project, c.subject, c.path) for c in found] == [
        ("owner+views", "Avoid exempting shelve from the CSRF check", "views.py")]
    pairs = flips(found, [RULES], {"python-csrf-check-disabled"})
    assert [(p.unit, p.before, p.after, p.direction) for p in pairs] == [
        ("shelve(request, shelf_id)", {"python-csrf-check-disabled": 1}, {}, "fix")]


def test_units_keep_decorators_and_annotations_and_leave_out_overloads():
    python = units("@csrf_exempt\n@login_required\ndef view(request):\n    return 1\n", "Python")
    assert python == {"view(request)": (1, 4, "@csrf_exempt\n@login_required\ndef view(request):\n    return 1")}
    java = units("class A {\n  @POST\n  public void doX(StaplerRequest req) {}\n"
                 "  void f(int a) {}\n  void f(int a) {}\n}\n", "Java")
    assert java == {"A": (1, 6, java["A"][2]), "A.doX(StaplerRequest req)": (2, 3, "@POST\n  public void doX(StaplerRequest req) {}")}


def test_direction_of_a_pair_with_findings_on_both_sides():
    assert Flip(None, "u", {"a": 1}, {"b": 1}).direction == "mixed"
    assert Flip(None, "u", {"a": 2}, {"a": 1}).direction == "fix"
    assert Flip(None, "u", {}, {"a": 1}).direction == "reverse"
