"""The people, groups and conversations of the demo cohort (used by ``community seed-demo``).

A CIPD-style Level 5 programme in people management and learning & development: names, roles and
organisations are invented; conversations read like learners talking to each other.
"""

from __future__ import annotations

COMMUNITY_NAME = "People & Learning Cohort"

# (handle, display name, headline, organisation)
FACILITATORS = [
    ("amara_okafor", "Amara Okafor", "Lead facilitator, Level 5 People Management", "Northgate Learning"),
    ("tom_whitfield", "Tom Whitfield", "Facilitator and assessor, L&D practice", "Northgate Learning"),
    ("priya_raman", "Priya Raman", "Coaching facilitator; ILM-accredited coach", "Raman Coaching"),
]

PARTICIPANTS = [
    ("hannah_clarke", "Hannah Clarke", "HR Advisor", "Severn Valley NHS Trust"),
    ("james_osei", "James Osei", "People Partner", "Brightwater Housing"),
    ("sofia_marquez", "Sofia Marquez", "L&D Coordinator", "Halden Logistics"),
    ("liam_byrne", "Liam Byrne", "HR Officer", "Dublin Road Foods"),
    ("aisha_rahman", "Aisha Rahman", "Talent Development Specialist", "Corvid Software"),
    ("ben_hughes", "Ben Hughes", "Operations Manager moving into HR", "Pennine Bus Co."),
    ("chloe_nguyen", "Chloe Nguyen", "Learning Designer", "Meridian Insurance"),
    ("daniel_kowalski", "Daniel Kowalski", "HR Generalist", "Kestrel Engineering"),
    ("emma_thompson", "Emma Thompson", "Employee Relations Advisor", "Wyvern County Council"),
    ("farah_siddiqui", "Farah Siddiqui", "People Experience Lead", "Oakleaf Retail"),
    ("george_mensah", "George Mensah", "Training Manager", "Harbourside Hotels"),
    ("isla_mcdonald", "Isla McDonald", "HR Assistant", "Glenmore Distillery"),
    ("jack_patel", "Jack Patel", "Reward and Benefits Analyst", "Fenwick & Cole LLP"),
    ("katie_evans", "Katie Evans", "Onboarding Specialist", "Taff Vale Water"),
    ("leo_fischer", "Leo Fischer", "Apprenticeship Coordinator", "Ridgeway College"),
    ("maya_johnson", "Maya Johnson", "HR Business Partner", "Lumen Media Group"),
    ("nathan_brooks", "Nathan Brooks", "Team Leader, customer service", "Clearline Telecom"),
    ("olivia_wright", "Olivia Wright", "Wellbeing and Inclusion Officer", "Aldridge University"),
    ("patrick_doyle", "Patrick Doyle", "Health & Safety and HR Lead", "Doyle Construction"),
    ("rachel_adeyemi", "Rachel Adeyemi", "Recruitment Advisor", "St Clement's Hospice"),
    ("samir_haddad", "Samir Haddad", "L&D Partner", "Atlas Pharmaceuticals"),
    ("tara_oconnell", "Tara O'Connell", "HR Administrator", "Shannon Credit Union"),
    ("usman_ali", "Usman Ali", "People Analytics Assistant", "Northwind Energy"),
    ("victoria_lane", "Victoria Lane", "Practice Manager", "Lane & Partners Dental"),
    ("will_robertson", "Will Robertson", "Learning Technologist", "Caledonian Bank"),
    ("yasmin_khan", "Yasmin Khan", "HR Advisor (ER casework)", "Metro Care Services"),
    ("zoe_campbell", "Zoe Campbell", "Early Careers Coordinator", "Fairfield Accountants"),
    ("marcus_reid", "Marcus Reid", "Shift Manager and mentor", "Eastport Warehousing"),
    ("grace_obi", "Grace Obi", "Trainee HR Consultant", "Obi People Services"),
    ("ellie_shaw", "Ellie Shaw", "Coach in training", "Shaw Wellbeing"),
]

PROGRAMME = "CIPD Level 5 Associate Diploma, Spring 2026"

# key: (name, visibility, facilitator index, participant indexes, description)
GROUPS = {
    "cohort": (
        "Spring 2026 Cohort", "private", 0, list(range(0, 20)),
        "Our cohort's own space: session notes, assignment questions and peer support. Only members of "
        "the cohort can see what is posted here.",
    ),
    "study": (
        "5CO01 Assignment Study Set", "request", 1, [0, 2, 4, 6, 8, 10, 12, 14, 21, 23],
        "A small study set working through 5CO01 (Organisational performance and culture in practice). "
        "Ask to join and Tom will add you.",
    ),
    "coaching": (
        "Coaching & Mentoring Circle", "open", 2, [1, 3, 5, 7, 9, 16, 18, 20, 24, 27, 28, 29],
        "An open circle for anyone practising coaching conversations at work: models, practice triads and "
        "honest reflections.",
    ),
    "wellbeing": (
        "Wellbeing at Work", "open", 2, [11, 13, 15, 17, 19, 22, 25, 26],
        "Sharing what works for wellbeing, hybrid working and keeping going while studying.",
    ),
}
# Participants who asked to join the request group and wait for an answer.
REQUESTS = {"study": [1, 3]}

COMMUNITY_BOARDS = [
    ("Introductions", "Say hello: who you are, where you work and what you hope to get from the programme."),
    ("Staffroom", "Off-topic and everyday chat: books, podcasts, the commute, the weekend."),
]

# Threads: (board, author, title, body, [(author, reply), ...]).
# A board is "group:<key>" (its General board) or "community:<n>"; an author is "f<n>" or "p<n>".
THREADS = [
    ("community:0", "f0", "Welcome to the Spring 2026 cohort!",
     "Hello everyone, and welcome! I'm Amara, lead facilitator for this cohort.\n\n"
     "Please use this board to introduce yourself: your role, your organisation, and **one thing** you'd "
     "like to be better at by the end of the programme. Reading each other's posts is the quickest way to "
     "find study partners.",
     [("p0", "Hi all, Hannah here. HR Advisor in an NHS trust, mostly absence and capability cases. I'd love "
             "to get more confident challenging managers when a process is being skipped."),
      ("p5", "Ben, operations manager at a bus company, moving into HR after ten years of rotas! Hoping to "
             "understand the *why* behind the policies I've been applying."),
      ("p20", "Samir, L&D partner in pharma. Looking forward to the evaluation unit: we measure attendance "
              "and smiles, not much else."),
      ("f2", "Lovely to meet you all. Ben, that operational background will be gold in the ER discussions.")]),
    ("community:1", "p10", "Podcasts for the commute?",
     "I've got a 50-minute drive each way. Any HR or L&D podcasts you'd recommend? Nothing too dry please.",
     [("p24", "The CIPD one is good for current debates. I also like anything on behavioural science."),
      ("p17", "Not strictly HR but anything on habits has helped me with study routines."),
      ("p10", "Thanks both, downloading now.")]),
    ("group:cohort", "f0", "Session 3 recap: organisational culture models",
     "Thanks for a lively session. Quick recap:\n\n"
     "- Schein's three levels: artefacts, espoused values, basic assumptions\n"
     "- Handy's four cultures (power, role, task, person)\n"
     "- Why culture change programmes often stall at the artefacts level\n\n"
     "For next week, note one artefact in your workplace that *contradicts* a stated value.",
     [("p3", "Ours: 'we value wellbeing' on the wall, and a leaderboard of who answered emails fastest."),
      ("p8", "Council offices: open-plan refurb to 'encourage collaboration', but every team booked its "
             "own meeting room for the whole week."),
      ("p12", "Question: is a dress code an artefact or an espoused value? I argued both ways in my notes."),
      ("f1", "Good question, Jack. The written code is an artefact; the story people tell about *why* it "
             "exists is where the espoused values show. Bring it to the next session.")]),
    ("group:cohort", "p1", "Struggling to fit study around a new role",
     "Honest post: I started a new job three weeks ago and I'm behind on the reading. Anyone else "
     "juggling? How are you structuring your weeks?",
     [("p7", "Same boat. I block two 45-minute slots before work; evenings just don't happen for me."),
      ("p13", "I read on the train and write at weekends. Small and often beats heroic Sundays."),
      ("f0", "Thank you for saying this, James. Please book a check-in with me: we can agree a realistic "
             "plan for the first assignment. Nobody is judged for asking.")]),
    ("group:cohort", "p15", "Reflective practice: Gibbs vs Kolb for the learning log?",
     "Which reflective model are people using for the learning log? Gibbs feels structured but "
     "repetitive; Kolb feels more natural but I worry I'll skip the 'evaluation' bit.",
     [("p2", "I use Gibbs for difficult situations and Kolb for lighter entries. Nobody said pick one!"),
      ("p18", "Gibbs helped me notice my feelings were driving decisions in a grievance meeting. Eye-opening."),
      ("f1", "Either is fine for assessment. What matters is the 'so what, now what': show how your "
             "practice changes.")]),
    ("group:cohort", "p9", "Anyone dealt with a flexible working request that felt unworkable?",
     "Manager wants to refuse a compressed-hours request on 'business grounds' but can't really say "
     "which ones. How do you coach a manager through that without taking over?",
     [("p8", "I ask them to walk me through a week of the team's work with the request in place. The real "
             "concerns usually come out, and sometimes they disappear."),
      ("p0", "Also check the trial period option. Managers relax when it isn't forever.")]),
    ("group:study", "f1", "5CO01 assessment brief: questions thread",
     "Post questions about the assessment brief here so everyone sees the answers. Please quote the "
     "task number.",
     [("p4", "Task 2: does the PESTLE analysis need to cover all six factors in equal depth?"),
      ("f1", "No: pick the factors that matter most to your organisation and justify the choice."),
      ("p10", "Task 3 word count: is the 10% tolerance on top of the limit?"),
      ("f1", "Yes, 10% either way, but don't use it as a target.")]),
    ("group:study", "p6", "Peer review swap for the first draft?",
     "Would anyone like to swap drafts of the culture section by Friday? Happy to give honest, kind "
     "feedback.",
     [("p14", "Yes please, I'll send mine through the group by Thursday."),
      ("p21", "Count me in too. Could we use the marking criteria as a checklist?")]),
    ("group:coaching", "f2", "Practice triads: sign up for this month",
     "We'll run practice triads (coach, coachee, observer) over video. Reply with your availability and "
     "a topic you're happy to be coached on: something real but not too raw.",
     [("p16", "Tuesdays after 6. Topic: delegating without hovering."),
      ("p27", "Weekends work for me. Topic: giving feedback to people who used to be my peers."),
      ("p29", "Wednesdays at lunch. Topic: saying no to extra projects.")]),
    ("group:coaching", "p3", "GROW felt clunky in a real conversation",
     "Tried GROW with a team member today and it felt like I was ticking boxes. The 'Options' bit went "
     "flat. Is this normal when you start?",
     [("f2", "Completely normal. Try staying longer in 'Reality': ask 'what else?' twice more than feels "
             "comfortable. Options get richer when the reality is clear."),
      ("p28", "I stopped saying the stages out loud in my head and it flowed better."),
      ("p3", "Both really helpful, thank you. Trying again on Thursday.")]),
    ("group:wellbeing", "p17", "Hybrid working: how do you switch off?",
     "Since going hybrid I answer messages until 9pm. What boundaries have worked for you?",
     [("p19", "Notifications off after 6 and a status message saying when I'm back."),
      ("p22", "A 'commute walk' round the block at the end of the day. Sounds silly, works."),
      ("p11", "Separate work profile on my phone. Out of sight, out of mind.")]),
    ("group:wellbeing", "p25", "Menopause awareness sessions: worth it?",
     "We're thinking of running menopause awareness sessions for line managers. Has anyone run these? "
     "Did managers' behaviour actually change?",
     [("p26", "We did. The biggest change came from a simple guide on adjustments, not the session itself."),
      ("p13", "Pair it with a named contact people can talk to. Sessions alone fade quickly.")]),
]
