"""A large generated community for measuring performance: ``community seed-scale`` and bench/.

``generate`` builds it with bulk inserts, ``words`` is its vocabulary, ``checks`` verifies that every
denormalised counter equals the real count, ``commands`` adds the ``seed-scale`` command.
"""
