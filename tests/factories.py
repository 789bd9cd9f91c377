"""Small test data. End-to-end stories load the seed report instead."""

import datetime

import factory
from django.contrib.auth import get_user_model

from tracker.models import (
    Assessment,
    AssessmentScheme,
    Category,
    Committee,
    EvidenceUpdate,
    Inquiry,
    Meeting,
    Milestone,
    Owner,
    Recommendation,
    Responsibility,
    SubPart,
    Theme,
)


def default_category(code: str) -> Category:
    return Category.objects.get(scheme=AssessmentScheme.default(), code=code)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("pass-word-123")


class CommitteeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Committee

    name = factory.Sequence(lambda n: f"Committee {n}")
    scheme = factory.LazyFunction(AssessmentScheme.default)


class InquiryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Inquiry

    committee = factory.SubFactory(CommitteeFactory)
    title = factory.Sequence(lambda n: f"Inquiry {n}")


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme

    inquiry = factory.SubFactory(InquiryFactory)
    letter = factory.Sequence(lambda n: chr(ord("A") + n % 26) + str(n // 26 or ""))
    title = factory.Sequence(lambda n: f"Theme {n}")


class OwnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Owner
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Cabinet Member {n}")


class RecommendationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Recommendation
        skip_postgeneration_save = True

    theme = factory.SubFactory(ThemeFactory)
    inquiry = factory.SelfAttribute("theme.inquiry")
    committee = factory.SelfAttribute("inquiry.committee")
    number = factory.Sequence(lambda n: f"R{n + 1:02d}")
    lead = "That:"
    position = factory.Sequence(lambda n: n)
    executive_response = "accepted"

    @factory.post_generation
    def completion(obj, create, extracted, **kwargs):
        """completion=date gives a completion milestone; None leaves it without."""
        if extracted:
            Milestone.objects.create(recommendation=obj, kind="completion", due_date=extracted)

    @factory.post_generation
    def owner(obj, create, extracted, **kwargs):
        if extracted:
            Responsibility.objects.create(recommendation=obj, owner=extracted)


class SubPartFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SubPart

    recommendation = factory.SubFactory(RecommendationFactory)
    label = "a)"
    text = "All frontline staff attend training."
    position = factory.Sequence(lambda n: n)


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    committee = factory.SubFactory(CommitteeFactory)
    scheme = factory.SelfAttribute("committee.scheme")
    date = factory.Sequence(lambda n: datetime.date(2016, 1, 1) + datetime.timedelta(days=7 * n))


class AssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assessment

    recommendation = factory.SubFactory(RecommendationFactory)
    meeting = factory.SubFactory(MeetingFactory, committee=factory.SelfAttribute("..recommendation.inquiry.committee"))


class EvidenceUpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EvidenceUpdate

    recommendation = factory.SubFactory(RecommendationFactory)
    text = "Training has been delivered."
    position = factory.Sequence(lambda n: n)
