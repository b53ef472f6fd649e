"""The course: lessons executed and published, what-ifs, section guards and exercise checks.

* :mod:`~custlib.course.session` — :func:`setup`, a lesson's set-up cell in one call;
* :mod:`~custlib.course.catalog` — the numbered lessons and what each needs;
* :mod:`~custlib.course.kernel` — executing one lesson in its own kernel;
* :mod:`~custlib.course.handouts` — the HTML pages and the index, offline;
* :mod:`~custlib.course.runner` — :func:`run_course`, everything into one output folder;
* :mod:`~custlib.course.whatif` — :func:`what_if` and :func:`money_slider` for live what-ifs;
* :mod:`~custlib.course.sections` — ``%%needs``: a section the data cannot feed says so;
* :mod:`~custlib.course.exercises` — checks that say right, close or not yet.
"""

from custlib.course.handouts import MATHJAX_DIR, copy_mathjax, for_html, lesson_exporter, lesson_nav
from custlib.course.kernel import (CELL_TIMEOUT, GAP_WARNING, execute_notebook,
                                   execute_notebook_node, lesson_timings, stop_all_kernels)
from custlib.course.catalog import (DATA_ENV, NOTEBOOK_DIR, PARAMETERS, LessonError,
                                    first_sentence, inject_parameters, lesson_reads,
                                    lesson_requires, lesson_sections, lesson_title, lessons,
                                    unmet_requirements)
from custlib.course.runner import MAX_JOBS, WORKBOOK_FILE, run_course
from custlib.course.session import Setup, setup
from custlib.course.whatif import money_slider, what_if

__all__ = ["NOTEBOOK_DIR", "CELL_TIMEOUT", "lessons", "lesson_title", "first_sentence",
           "lesson_requires", "lesson_reads", "unmet_requirements", "inject_parameters",
           "lesson_sections", "execute_notebook", "execute_notebook_node", "lesson_timings",
           "for_html", "lesson_exporter", "lesson_nav", "copy_mathjax", "MATHJAX_DIR",
           "run_course", "stop_all_kernels", "LessonError", "MAX_JOBS", "PARAMETERS",
           "DATA_ENV", "WORKBOOK_FILE", "GAP_WARNING", "what_if", "money_slider", "setup", "Setup"]
